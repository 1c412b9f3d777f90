namespace ComplianceEvents.Cycles;

/// <summary>A member assessed in a cycle, in display order (DESIGN 1.1: the member list belongs to the cycle).</summary>
public sealed record Member(string Code, string Name);

public sealed record CycleOpened(string CycleId, string SummitName, string HostCity, string HostCountry,
    DateOnly SummitStart, DateOnly SummitEnd, IReadOnlyList<Member> Members);
