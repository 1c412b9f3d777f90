using ComplianceEvents.Assessments;
using ComplianceEvents.Cycles;

namespace ComplianceEvents.Reports;

/// <summary>The approval a report shows for a cell, and why it is not the current one when it is not.</summary>
public sealed record WindowedScore(Proposal? Approval, string? Note)
{
    public int? Score => Approval?.Score;
}

/// <summary>
/// DESIGN 1.2 rule 11: a score counts in a window's report only when every evidence item it rests on is eligible for
/// that window (its action date inside it). Otherwise the report shows the latest approval that qualifies, or none,
/// and says why. Without a window the current approval counts. One rule for reports, editions, `scores --kind`,
/// explain and compare.
/// </summary>
public static class WindowedScores
{
    public static WindowedScore For(Assessment? assessment, ReportWindow? window)
    {
        if (assessment?.ApprovedProposal is not { } current) return new WindowedScore(null, null);
        if (window is null) return new WindowedScore(current, null);
        var actionDates = assessment.Evidence.ToDictionary(e => e.EvidenceId, e => e.ActionDate);
        var outside = Outside(actionDates, current, window);
        if (outside.Count == 0) return new WindowedScore(current, null);

        var why = $"the approved score {Scores.Format(current.Score)} ({current.ProposalId}) rests on evidence outside the "
            + $"{window.Kind.ToString().ToLowerInvariant()} window {window.Start:yyyy-MM-dd}..{window.Cutoff:yyyy-MM-dd}: "
            + string.Join(", ", outside);
        // Proposals are approved in the order they were made (one pending at a time), so the last approved one that
        // qualifies is the latest approval that does.
        var earlier = assessment.Proposals.TakeWhile(p => p.ProposalId != current.ProposalId)
            .LastOrDefault(p => p.Status == ProposalStatus.Approved && Outside(actionDates, p, window).Count == 0);
        return earlier is null
            ? new WindowedScore(null, $"{why}; no earlier approval rests only on evidence in the window")
            : new WindowedScore(earlier, $"{why}; shown: the earlier approval {Scores.Format(earlier.Score)} ({earlier.ProposalId})");
    }

    /// <summary>The proposal's evidence items whose action date lies outside the window, as "e5 (2025-01-10)".</summary>
    private static List<string> Outside(IReadOnlyDictionary<string, DateOnly> actionDates, Proposal proposal, ReportWindow window) =>
        proposal.EvidenceIds.Select(id => (id, date: actionDates.TryGetValue(id, out var d) ? d : (DateOnly?)null))
            .Where(x => x.date is not { } d || !window.Contains(d))
            .Select(x => x.date is { } d ? $"{x.id} ({d:yyyy-MM-dd})" : $"{x.id} (unknown)").ToList();
}
