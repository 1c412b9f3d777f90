using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Assessments;

/// <summary>The checks shared by approving, returning and rejecting a proposal.</summary>
public static class Reviews
{
    /// <summary>
    /// Only the pending proposal can be reviewed, only by the commitment's lead analyst or compliance
    /// director (or a cycle-wide director), and never by anyone named on it (its proposer or a co-analyst), whatever roles
    /// they hold; ids compare normalised (DESIGN 1.2 rule 10).
    /// </summary>
    public static RuleViolation? Check(Cell cell, string proposalId, string action)
    {
        // Issue 9: a queue's service identity reviews only where configuration allows it; checked first so
        // a refused queue never learns whether the proposal exists.
        if (!cell.Actor.ReviewsAllowed)
            return RuleViolation.Forbidden("queue-review-not-allowed",
                $"{cell.Actor.UserId} acts for {cell.Actor.Via ?? "an integration"}, which may not {action} proposals " +
                    $"(Integration:Inbound:AllowApprovals).");
        var proposal = cell.State?.Proposals.FirstOrDefault(p => p.ProposalId == proposalId);
        if (proposal is null)
            return RuleViolation.NotFound("proposal-not-found", $"Proposal '{proposalId}' does not exist in this " +
                $"assessment.", "proposalId");
        if (cell.Commitment.RequireReviewer(cell.Actor, $"{action} a proposal") is { } forbidden) return forbidden;
        if (UserIds.Same(proposal.ProposedBy, cell.Actor.UserId))
            return RuleViolation.Forbidden("separation-of-duties", $"{cell.Actor.UserId} proposed {proposalId} and cannot {action} it.");
        if ((proposal.Analysts ?? []).Any(a => UserIds.Same(a, cell.Actor.UserId)))
            return RuleViolation.Forbidden("separation-of-duties",
                $"{cell.Actor.UserId} is named as an analyst of {proposalId} and cannot {action} it.");
        if (proposal.Status != ProposalStatus.Pending)
            return RuleViolation.Conflict("proposal-not-pending",
                $"Proposal {proposalId} is {proposal.Status.ToString().ToLowerInvariant()}; only the pending proposal can be " +
                    $"reviewed.", "proposalId");
        return null;
    }

    public static Proposal Proposal(Cell cell, string proposalId) => cell.State!.Proposals.First(p => p.ProposalId == proposalId);
}

/// <summary>DESIGN 1.2 rule 4: cells print +1, 0, -1.</summary>
public static class Scores
{
    public static string Format(int score) => score > 0 ? $"+{score}" : score.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
