namespace ComplianceEvents.Cycles;

/// <summary>Write model and inline snapshot of a <c>cycle:{id}</c> stream.</summary>
public sealed record Cycle(string Id, string SummitName, string HostCity, string HostCountry,
    DateOnly SummitStart, DateOnly SummitEnd, IReadOnlyList<Member> Members, long Version)
{
    public static string StreamKey(string cycleId) => $"cycle:{cycleId}";

    public static Cycle Create(CycleOpened e) =>
        new(StreamKey(e.CycleId), e.SummitName, e.HostCity, e.HostCountry, e.SummitStart, e.SummitEnd, e.Members, 1);

    public string CycleId => Id["cycle:".Length..];
}
