using JasperFx.Core;

namespace ComplianceEvents.Cycles;

/// <summary>Write model and inline snapshot of a <c>cycle:{id}</c> stream.</summary>
public sealed record Cycle(string Id, string SummitName, string HostCity, string HostCountry,
    DateOnly SummitStart, DateOnly SummitEnd, IReadOnlyList<Member> Members, string? PreparedBy)
{
    public const string Prefix = "cycle:";
    public static string StreamKey(string cycleId) => Prefix + cycleId;

    public IReadOnlyList<ReportWindow> Windows { get; init; } = [];

    /// <summary>Every published edition, in order (DESIGN 1.2 rule 6: they never change).</summary>
    public IReadOnlyList<ReportPublished> Editions { get; init; } = [];

    public ReportPublished? FindEdition(ReportKind kind, int edition) => Editions.FirstOrDefault(e => e.Kind == kind && e.Edition == edition);

    /// <summary>Stream version, kept by Marten.</summary>
    public long Version { get; set; }

    public string CycleId => Id[Prefix.Length..];

    public ReportWindow? Window(ReportKind kind) => Windows.FirstOrDefault(w => w.Kind == kind);

    public bool HasMember(string code) => Members.Any(m => m.Code == code);

    /// <summary>
    /// The one event-to-state dispatch of a cycle stream, for every fold (the inline snapshot, the as-of fold, an import in
    /// memory); events of other streams leave the state as it is. Marten folds through this method only ([JasperFxIgnore]).
    /// </summary>
    public static Cycle? Fold(Cycle? c, object e) => (c, e) switch
    {
        (_, CycleOpened x) => Create(x),
        (null, _) => null,
        (_, ReportWindowSet x) => c.Apply(x),
        (_, CycleAmended x) => c.Apply(x),
        (_, ReportPublished x) => c.Apply(x),
        _ => c,
    };

    [JasperFxIgnore]
    public static Cycle Create(CycleOpened e) =>
        new(StreamKey(e.CycleId), e.SummitName, e.HostCity, e.HostCountry, e.SummitStart, e.SummitEnd, e.Members, e.PreparedBy);

    [JasperFxIgnore]
    public Cycle Apply(ReportWindowSet e) =>
        this with { Windows = [.. Windows.Where(w => w.Kind != e.Kind).Append(new ReportWindow(e.Kind, e.Start, e.Cutoff)).OrderBy(w => w.Kind)] };

    [JasperFxIgnore]
    public Cycle Apply(ReportPublished e) => this with { Editions = [.. Editions, e] };

    [JasperFxIgnore]
    public Cycle Apply(CycleAmended e) =>
        this with
        {
            SummitName = e.SummitName, HostCity = e.HostCity, HostCountry = e.HostCountry,
            SummitStart = e.SummitStart, SummitEnd = e.SummitEnd, PreparedBy = e.PreparedBy,
        };
}
