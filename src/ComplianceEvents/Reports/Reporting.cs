using System.Security.Cryptography;
using System.Text;
using ComplianceEvents.Cycles;
using ComplianceEvents.Reports.AsOf;
using ComplianceEvents.Reports.Rendering;
using Marten;

namespace ComplianceEvents.Reports;

/// <summary>Reports as a pure function of (events up to S, window) (DESIGN 2.2), and the proof that an edition regenerates identically.</summary>
public static class Reporting
{
    public static async Task<ReportModel?> AsOf(IQuerySession session, string cycleId, ReportKind? kind, AsOfPoint point, CancellationToken ct = default)
    {
        var state = await CycleHistory.StateAt(session, cycleId, point, ct);
        return state.Cycle is null ? null : ReportBuilder.Build(state, kind);
    }

    /// <summary>Regenerates a published edition from its pinned sequence and window, or null when there is no such edition.</summary>
    public static async Task<(ReportModel Model, ReportPublished Edition)?> Edition(IQuerySession session, string cycleId, ReportKind kind, int edition, CancellationToken ct = default)
    {
        var cycle = await session.LoadAsync<Cycle>(Cycle.StreamKey(cycleId), ct);
        if (cycle?.FindEdition(kind, edition) is not { } published) return null;
        var state = await CycleHistory.StateAt(session, cycleId, new AsOfPoint(published.PinnedSequence), ct);
        return (ReportBuilder.Build(state, kind, edition, published.Reason), published);
    }

    public static string Digest(string canonicalMarkdown) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalMarkdown)));

    /// <summary>An edition as the log records it (<paramref name="RecordedAt"/>: the sequence of its ReportPublished event) against
    /// its regeneration from its pinned sequence.</summary>
    public sealed record Verification(string CycleId, ReportKind Kind, int Edition, long PinnedSequence, long RecordedAt, string Expected,
        string Actual)
    {
        public bool Identical => Expected == Actual;
    }

    /// <summary>
    /// Regenerates an edition and compares its SHA-256 with the one recorded when it was published. The edition is read from
    /// its event in the log (chained and signed, ADR 0006), not from the cycle's snapshot, which the chain does not cover.
    /// </summary>
    public static async Task<Verification?> Verify(IQuerySession session, string cycleId, ReportKind kind, int edition,
        CancellationToken ct = default)
    {
        var events = await session.Events.FetchStreamAsync(Cycle.StreamKey(cycleId), token: ct);
        if (events.FirstOrDefault(e => e.Data is ReportPublished p && p.Kind == kind && p.Edition == edition) is not { } recorded)
            return null;
        var published = (ReportPublished)recorded.Data;
        var state = await CycleHistory.StateAt(session, cycleId, new AsOfPoint(published.PinnedSequence), ct);
        var regenerated = Digest(MarkdownRenderer.Render(ReportBuilder.Build(state, kind, edition, published.Reason)));
        return new Verification(cycleId, kind, edition, published.PinnedSequence, recorded.Sequence, published.ContentHash, regenerated);
    }
}
