using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Commitments;

public static class Lookups
{
    public static RuleViolation CommitmentNotFound(string cycleId, string commitmentId) =>
        RuleViolation.NotFound("commitment-not-found", $"Commitment '{commitmentId}' does not exist in cycle '{cycleId}'.", "commitmentId");
}
