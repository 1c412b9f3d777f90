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

/// <summary>
/// A numbered edition of a report that never changes (DESIGN 1.2 rule 6): the window and the pinned global
/// sequence it was built from, and the SHA-256 of its canonical Markdown. Editions after the first are
/// corrections and carry the reason.
/// </summary>
public sealed record ReportPublished(string CycleId, ReportKind Kind, int Edition, DateOnly WindowStart, DateOnly Cutoff,
    long PinnedSequence, string ContentHash, string PublishedBy, DateTimeOffset PublishedAt, string? Reason);
