using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Reports.AsOf;

/// <summary>
/// An "as of" answer is a promise that the same question gives the same answer later (issue 21): a point the log has
/// not settled yet (a sequence not handed out, a time after the database's clock, or one with writers still in flight
/// below it) is waited for, and refused when it lies beyond the log.
/// </summary>
public static class Settlement
{
    /// <summary>Null when reads as of the point are final; else a 409 naming the field, or a 503 when writers did not finish in
    /// time.</summary>
    public static async Task<RuleViolation?> Check(LogHorizon horizon, long? sequence, DateTimeOffset? time, string field,
        CancellationToken ct)
    {
        try
        {
            return await horizon.Unsettled(sequence, time, ct) is { } why
                ? RuleViolation.Conflict("not-settled", $"{why}; ask for an earlier point or again later.", field)
                : null;
        }
        catch (LogNotSettledException e)
        {
            return RuleViolation.Unavailable("log-not-settled", e.Message);
        }
    }

    public static Task<RuleViolation?> Check(LogHorizon horizon, AsOfPoint point, CancellationToken ct) =>
        Check(horizon, point.Sequence, point.Time, point.Sequence is not null ? "asOfSequence" : "asOfTime", ct);
}
