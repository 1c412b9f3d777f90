using ComplianceEvents.Assessments;
using Marten;

namespace ComplianceEvents.Integration.DetectingStaleApprovals;

/// <summary>
/// DESIGN 1.2 rule 8 as a notification: an approval becomes stale when its commitment's rubric is
/// revised past the version it used, or when evidence it rests on is amended or withdrawn after it.
/// The Integration module reacts to the messages of the decisions (CONVENTIONS: a module reacting to
/// another's event does it in a handler of its own): RubricRevisedV1 through IntegrationEventHandler,
/// evidence changes through the internal EvidenceChanged notice.
/// </summary>
public static class StaleApprovals
{
    /// <summary>Every approval of the commitment under an older version than the one just published.</summary>
    public static async Task<IReadOnlyList<ApprovalWentStaleV1>> AfterRevision(RubricRevisedV1 e, IQuerySession session, CancellationToken ct)
    {
        var cells = await session.Query<Assessment>().Where(a => a.CycleId == e.CycleId && a.CommitmentId == e.CommitmentId).ToListAsync(ct);
        return cells
            .Where(a => a.Approved is { } approved && approved.RubricVersion < e.Version)
            .OrderBy(a => a.MemberCode, StringComparer.Ordinal)
            .Select(a => new ApprovalWentStaleV1(a.CycleId, a.CommitmentId, a.MemberCode, a.Approved!.ProposalId,
                $"rubric-revised: approved under version {a.Approved.RubricVersion}, current version {e.Version}", e.OccurredBy, e.OccurredAt))
            .ToList();
    }
}

public static class EvidenceChangedHandler
{
    /// <summary>
    /// Stale only the first time an item the approval rests on changes: the cell is folded to just before
    /// the change (the snapshot may already show later events), so a second amendment announces nothing new.
    /// </summary>
    public static async Task<IReadOnlyList<ApprovalWentStaleV1>> Handle(EvidenceChanged e, IQuerySession session, CancellationToken ct)
    {
        var before = await session.Events.AggregateStreamAsync<Assessment>(
            Assessment.StreamKey(e.CycleId, e.CommitmentId, e.MemberCode), version: e.Version - 1, token: ct);
        if (before?.Approved is not { } approved || !approved.EvidenceIds.Contains(e.EvidenceId) || approved.EvidenceChangedSince.Contains(e.EvidenceId))
            return [];
        return [new ApprovalWentStaleV1(e.CycleId, e.CommitmentId, e.MemberCode, approved.ProposalId, $"{e.Change}: {e.EvidenceId}", e.OccurredBy, e.OccurredAt)];
    }
}
