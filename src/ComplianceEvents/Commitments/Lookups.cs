using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Commitments;

public static class Lookups
{
    public static RuleViolation CommitmentNotFound(string cycleId, string commitmentId) =>
        RuleViolation.NotFound("commitment-not-found", $"Commitment '{commitmentId}' does not exist in cycle '{cycleId}'.", "commitmentId");

    /// <summary>
    /// Whether another commitment of the cycle has the number. Each commitment is its own stream, so two concurrent writers
    /// can both see it free: the unique index (Persistence) makes the second commit fail, and the pipeline decides again.
    /// </summary>
    public static Task<bool> NumberTaken(IReads reads, string cycleId, int number) =>
        reads.Any<Commitment>(c => c.CycleId == cycleId && c.Number == number);

    /// <summary>Two queued reads as one (start both before awaiting either: they are answered in one round trip).</summary>
    public static async Task<(T1, T2)> Both<T1, T2>(Task<T1> first, Task<T2> second) => (await first, await second);
}
