namespace ComplianceEvents.Cycles;

/// <summary>A member assessed in a cycle, in display order (DESIGN 1.1: the member list belongs to the cycle).</summary>
public sealed record Member(string Code, string Name);

public enum ReportKind { Interim, Final }

/// <summary>A compliance window [Start, Cutoff], both days included (DESIGN 1.2 rule 1).</summary>
public sealed record ReportWindow(ReportKind Kind, DateOnly Start, DateOnly Cutoff)
{
    public bool Contains(DateOnly day) => day >= Start && day <= Cutoff;
}

public sealed record CycleOpened(string CycleId, string SummitName, string HostCity, string HostCountry,
    DateOnly SummitStart, DateOnly SummitEnd, IReadOnlyList<Member> Members, string? PreparedBy = null);

/// <summary>First setting of a window has no reason; changing an existing window needs one.</summary>
public sealed record ReportWindowSet(string CycleId, ReportKind Kind, DateOnly Start, DateOnly Cutoff, string? Reason);

public sealed record CycleAmended(string CycleId, string SummitName, string HostCity, string HostCountry,
    DateOnly SummitStart, DateOnly SummitEnd, string? PreparedBy, string Reason);
