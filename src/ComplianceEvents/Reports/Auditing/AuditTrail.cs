using ComplianceEvents.Infrastructure;
using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using JasperFx.Events;
using Marten;

namespace ComplianceEvents.Reports.Auditing;

/// <summary>One event of an assessment's history as a director reads it: when recorded, who, what, why, which evidence and rubric.</summary>
public sealed record AuditEntry(long Sequence, string Stream, long Version, DateTimeOffset RecordedAt, string? By, string Kind, string What,
    string? Why, IReadOnlyList<string> EvidenceIds, int? RubricVersion);

public static class AuditTrail
{
    /// <summary>
    /// The events that bear on one cell, in recorded order: the assessment stream, plus the commitment
    /// events that change how it is judged (rubric versions, applicability of this member). Other streams' events are skipped.
    /// </summary>
    public static IReadOnlyList<AuditEntry> For(IEnumerable<IEvent> events, CellStreams cell) =>
        events.Where(e => e.StreamKey == cell.AssessmentKey || (e.StreamKey == cell.CommitmentKey && Concerns(e.Data, cell.Member)))
            .Select(e => Entry(e, Describe(e.Data)))
            .ToList();

    /// <summary>The cell's audit trail, read from its assessment and commitment streams only; empty without an assessment.</summary>
    public static async Task<IReadOnlyList<AuditEntry>> Of(IQuerySession session, CellStreams cell, CancellationToken ct)
    {
        var entries = For(await cell.Read(session, withCycle: false, ct), cell);
        return entries.Any(e => e.Stream == cell.AssessmentKey) ? entries : [];
    }

    private static bool Concerns(object data, string member) => data switch
    {
        MemberMarkedNotApplicable x => x.MemberCode == member,
        MemberApplicabilityRestored x => x.MemberCode == member,
        _ => data is CommitmentSelected or RubricPublished or RubricRevised,
    };

    private static AuditEntry Entry(IEvent e, (string Kind, string What, string? Why, IReadOnlyList<string> Evidence, int? Rubric) d) =>
        new(e.Sequence, e.StreamKey!, e.Version, e.Timestamp, e.Headers?.GetValueOrDefault(EventHeaders.User)?.ToString(), d.Kind, d.What,
            d.Why, d.Evidence, d.Rubric);

    public static (string Kind, string What, string? Why, IReadOnlyList<string> Evidence, int? Rubric) Describe(object data) => data switch
    {
        AssessmentOpened x => ("assessment-opened", $"assessment {x.CommitmentId}/{x.MemberCode} opened", null, [], null),
        EvidenceRecorded x => ("evidence-recorded", $"{x.EvidenceId} ({x.ActionDate:yyyy-MM-dd}, {Strength(x.Strength)}{Dims(x.Dimensions)}): {Short(x.Summary)}",
            x.Flags.Count > 0 ? "flags: " + string.Join("; ", x.Flags) : null, [x.EvidenceId], null),
        EvidenceAmended x => ("evidence-amended", $"{x.EvidenceId} ({x.ActionDate:yyyy-MM-dd}, {Strength(x.Strength)}{Dims(x.Dimensions)}): {Short(x.Summary)}", x.Reason, [x.EvidenceId], null),
        EvidenceWithdrawn x => ("evidence-withdrawn", x.EvidenceId, x.Reason, [x.EvidenceId], null),
        ScoreProposed x => ("score-proposed", $"{x.ProposalId}: {Scores.Format(x.Score)} by {x.ProposedBy}" + (x.SuggestedScore is { } s ? $" (rubric suggests {Scores.Format(s)})" : ""),
            x.Rationale, x.EvidenceIds, x.RubricVersion),
        ProposalReturned x => ("proposal-returned", $"{x.ProposalId} returned by {x.ReturnedBy}", x.Reason, [], null),
        ScoreApproved x => ("score-approved", $"{x.ProposalId}: {Scores.Format(x.Score)} approved by {x.ApprovedBy}", x.Comment, x.EvidenceIds, x.RubricVersion),
        ScoreRejected x => ("score-rejected", $"{x.ProposalId} rejected by {x.RejectedBy}", x.Reason, [], null),
        CommitmentSelected x => ("commitment-selected", $"{x.Number}. {x.IssueArea}: {x.Title}", null, [], null),
        RubricPublished x => ("rubric-published", $"version {x.Rubric.Version}: -1 \"{x.Rubric.Minus1}\" | 0 \"{x.Rubric.Zero}\" | +1 \"{x.Rubric.Plus1}\"", null, [], x.Rubric.Version),
        RubricRevised x => ("rubric-revised", $"version {x.PreviousVersion} -> {x.Rubric.Version}: -1 \"{x.Rubric.Minus1}\" | 0 \"{x.Rubric.Zero}\" | +1 \"{x.Rubric.Plus1}\"", x.Reason, [], x.Rubric.Version),
        MemberMarkedNotApplicable x => ("member-not-applicable", $"{x.MemberCode} marked not applicable", x.Reason, [], null),
        MemberApplicabilityRestored x => ("member-applicable", $"{x.MemberCode} applicable again", x.Reason, [], null),
        _ => (data.GetType().Name, "", null, [], null),
    };

    private static string Strength(Strength? s) => s?.ToString().ToLowerInvariant() ?? "ungraded";
    private static string Dims(IReadOnlyList<string> d) => d.Count == 0 ? "" : "; " + string.Join(", ", d);
    private static string Short(string text) => text.Length <= 160 ? text : text[..157] + "...";

    public static string ToText(IEnumerable<AuditEntry> entries) =>
        string.Join("\n", entries.Select(e =>
            $"#{e.Sequence} {e.RecordedAt:yyyy-MM-dd HH:mm:ss}Z {e.By ?? "?"} {e.Kind}: {e.What}" + (e.Why is { Length: > 0 } why ? $"\n    why: {why}" : ""))) + "\n";
}
