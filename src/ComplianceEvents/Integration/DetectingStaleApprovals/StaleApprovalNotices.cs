using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using JasperFx.Events;
using Marten;

namespace ComplianceEvents.Integration.DetectingStaleApprovals;

/// <summary>
/// DESIGN 1.2 rule 8 as a notification: an approval becomes stale when its commitment's rubric is revised past the
/// version it used, or when evidence it rests on is amended or withdrawn after it. Decided by the publisher from the
/// log, event by event, so each notice is published right after the event that caused it (the stale report itself is
/// Reports/Auditing's StaleApprovals).
/// </summary>
public static class StaleApprovalNotices
{
    /// <summary>What the stored event leaves stale, published after its own contract (if any).</summary>
    public static async Task<IReadOnlyList<ApprovalWentStaleV1>> After(IEvent e, IIntegrationEvent? published, IQuerySession session,
        CancellationToken ct) => (e.Data, published) switch
    {
        (RubricRevised, RubricRevisedV1 revised) => await AfterRevision(revised, session, ct),
        (EvidenceAmended x, _) => await AfterEvidenceChange(e, x.EvidenceId, "evidence-amended", session, ct),
        (EvidenceWithdrawn x, _) => await AfterEvidenceChange(e, x.EvidenceId, "evidence-withdrawn", session, ct),
        _ => [],
    };

    /// <summary>Every approval of the commitment under an older version than the one just published.</summary>
    public static async Task<IReadOnlyList<ApprovalWentStaleV1>> AfterRevision(RubricRevisedV1 e, IQuerySession session,
        CancellationToken ct)
    {
        var cells = await session.Query<Assessment>().Where(a => a.CycleId == e.CycleId && a.CommitmentId == e.CommitmentId)
            .ToListAsync(ct);
        return cells
            .Where(a => a.Approved is { } approved && approved.RubricVersion < e.Version)
            .OrderBy(a => a.MemberCode, StringComparer.Ordinal)
            .Select(a => new ApprovalWentStaleV1(a.CycleId, a.CommitmentId, a.MemberCode, a.Approved!.ProposalId,
                $"rubric-revised: approved under version {a.Approved.RubricVersion}, current version {e.Version}", e.OccurredBy,
                e.OccurredAt))
            .ToList();
    }

    /// <summary>
    /// Stale only the first time an item the approval rests on changes: the cell is folded to just before this event (the
    /// snapshot may already show later ones), so a second amendment of the same item announces nothing new.
    /// </summary>
    private static async Task<IReadOnlyList<ApprovalWentStaleV1>> AfterEvidenceChange(IEvent e, string evidenceId, string change,
        IQuerySession session, CancellationToken ct)
    {
        var before = await session.Events.AggregateStreamAsync<Assessment>(e.StreamKey!, version: e.Version - 1, token: ct);
        if (before?.Approved is not { } approved || !approved.EvidenceIds.Contains(evidenceId)
            || approved.EvidenceChangedSince.Contains(evidenceId))
            return [];
        return [new ApprovalWentStaleV1(before.CycleId, before.CommitmentId, before.MemberCode, approved.ProposalId,
            $"{change}: {evidenceId}", IntegrationEvents.OccurredBy(e), e.Timestamp)];
    }
}
