using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using JasperFx.Events;
using Marten;

namespace ComplianceEvents.Integration.DetectingStaleApprovals;

/// <summary>
/// DESIGN 1.2 rule 8 as a notification: an approval becomes stale when its commitment's rubric is revised past the
/// version it used, when it is approved under a version already superseded, or when evidence it rests on is amended or
/// withdrawn after it. Decided by the publisher from the log, event by event, so each notice is published right after the
/// event that caused it (the stale report itself is Reports/Auditing's StaleApprovals).
/// Every decision reads the state just before its cause in the log, never the inline snapshots: those may already hold what
/// other writers committed after the cause, and a notice naming an approval stored later would reach consumers before it.
/// </summary>
public static class StaleApprovalNotices
{
    /// <summary>What the stored event leaves stale, published after its own contract (if any).</summary>
    public static async Task<IReadOnlyList<ApprovalWentStaleV1>> After(IEvent e, IQuerySession session, CancellationToken ct) =>
        e.Data switch
        {
            RubricRevised x => await AfterRevision(e, x, session, ct),
            ScoreApproved x => await AfterApproval(e, x, session, ct),
            EvidenceAmended x => await AfterEvidenceChange(e, x.EvidenceId, "evidence-amended", session, ct),
            EvidenceWithdrawn x => await AfterEvidenceChange(e, x.EvidenceId, "evidence-withdrawn", session, ct),
            _ => [],
        };

    /// <summary>Every cell of the commitment approved, when the revision was stored, under an older version than the new one.</summary>
    private static async Task<IReadOnlyList<ApprovalWentStaleV1>> AfterRevision(IEvent e, RubricRevised x, IQuerySession session,
        CancellationToken ct)
    {
        // The snapshots name the cells (a cell opened after the revision has no events before it); the log gives their state.
        var cells = await session.Query<Assessment>().Where(a => a.CycleId == x.CycleId && a.CommitmentId == x.CommitmentId)
            .Select(a => a.Id).ToListAsync(ct);
        var before = await Before<Assessment>(session, cells, e.Sequence, Assessment.Fold, ct);
        return before
            .Where(a => a.Approved is { } approved && approved.RubricVersion < x.Rubric.Version)
            .OrderBy(a => a.MemberCode, StringComparer.Ordinal)
            .Select(a => Notice(a, RubricReason(a.Approved!.RubricVersion, x.Rubric.Version), e))
            .ToList();
    }

    /// <summary>
    /// An approval under a version the commitment had already superseded is stale from the start (the stale report lists it),
    /// so it is announced right after its ScoreApprovedV1; no revision will announce it before it exists.
    /// </summary>
    private static async Task<IReadOnlyList<ApprovalWentStaleV1>> AfterApproval(IEvent e, ScoreApproved x, IQuerySession session,
        CancellationToken ct)
    {
        var cell = CellKey.Parse(e.StreamKey!);
        var key = Commitment.StreamKey(cell.CycleId, cell.CommitmentId);
        // Versions only grow: if even the current one is not newer, none before the approval was (no need to read the log).
        if ((await session.LoadAsync<Commitment>(key, ct))?.CurrentRubric is not { } now || now.Version <= x.RubricVersion) return [];
        var then = (await Before<Commitment>(session, [key], e.Sequence, Commitment.Fold, ct)).SingleOrDefault()?.CurrentRubric;
        if (then is null || then.Version <= x.RubricVersion) return [];
        return [Notice(cell, x.ProposalId, RubricReason(x.RubricVersion, then.Version), e)];
    }

    /// <summary>
    /// Stale only the first time an item the approval rests on changes: the cell is folded to just before this event (the
    /// snapshot may already show later ones), so a second amendment of the same item announces nothing new.
    /// </summary>
    private static async Task<IReadOnlyList<ApprovalWentStaleV1>> AfterEvidenceChange(IEvent e, string evidenceId, string change,
        IQuerySession session, CancellationToken ct)
    {
        var before = (await Before<Assessment>(session, [e.StreamKey!], e.Sequence, Assessment.Fold, ct)).SingleOrDefault();
        if (before?.Approved is not { } approved || !approved.EvidenceIds.Contains(evidenceId)
            || approved.EvidenceChangedSince.Contains(evidenceId))
            return [];
        return [Notice(before, $"{change}: {evidenceId}", e)];
    }

    /// <summary>Each stream's state from its events stored before the sequence, in log order, through the aggregate's one fold.</summary>
    private static async Task<IReadOnlyList<T>> Before<T>(IQuerySession session, IReadOnlyList<string> streams, long sequence,
        Func<T?, object, T?> fold, CancellationToken ct) where T : class
    {
        if (streams.Count == 0) return [];
        var events = await session.Events.QueryAllRawEvents()
            .Where(r => r.StreamKey!.IsOneOf(streams.ToArray()) && r.Sequence < sequence)
            .OrderBy(r => r.Sequence).ToListAsync(ct);
        return events.GroupBy(r => r.StreamKey!)
            .Select(g => g.Aggregate((T?)null, (state, r) => fold(state, r.Data)))
            .OfType<T>().ToList();
    }

    /// <summary>The words of the stale report (Assessment.StaleReasons), so a notice reads as `stale` lists it.</summary>
    private static string RubricReason(int approvedUnder, int current) =>
        $"rubric-revised: approved under version {approvedUnder}, current version {current}";

    private static ApprovalWentStaleV1 Notice(Assessment a, string reason, IEvent cause) =>
        Notice(new CellKey(a.CycleId, a.CommitmentId, a.MemberCode), a.Approved!.ProposalId, reason, cause);

    /// <summary>Acted and stored with its cause: the notice is what that event implies.</summary>
    private static ApprovalWentStaleV1 Notice(CellKey cell, string proposalId, string reason, IEvent cause) =>
        new(cell.CycleId, cell.CommitmentId, cell.MemberCode, proposalId, reason, IntegrationEvents.OccurredBy(cause), cause.Timestamp);
}
