using ComplianceEvents.Cycles;
using JasperFx.Events;

namespace ComplianceEvents.Reports;

/// <summary>A published edition as the cycle stream records it, with the sequence of its own event.</summary>
public sealed record ReportEdition(ReportKind Kind, int Edition, DateOnly WindowStart, DateOnly Cutoff, long PinnedSequence,
    string ContentHash, string PublishedBy, DateTimeOffset PublishedAt, string? Reason, long RecordedAtSequence)
{
    public static ReportEdition From(ReportPublished e, IEvent meta) =>
        new(e.Kind, e.Edition, e.WindowStart, e.Cutoff, e.PinnedSequence, e.ContentHash, e.PublishedBy, e.PublishedAt, e.Reason, meta.Sequence);
}
