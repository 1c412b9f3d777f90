using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using Marten;
using Wolverine.Http;

namespace ComplianceEvents.Reports.VerifyingReport;

public static class VerifyReportEndpoint
{
    /// <summary>Regenerates the edition from its pinned sequence and compares SHA-256 digests.</summary>
    [WolverineGet("/cycles/{cycleId}/reports/{kind}/editions/{edition}/verification", OperationId = "VerifyReport"), Tags("Reports")]
    public static async Task<IResult> Get(string cycleId, ReportKind kind, int edition, IQuerySession session, HttpContext http, CancellationToken ct) =>
        await Reporting.Verify(session, cycleId, kind, edition, ct) is { } v
            ? Results.Ok(new { v.CycleId, kind = v.Kind.ToString().ToLowerInvariant(), v.Edition, v.PinnedSequence, published = v.Expected, regenerated = v.Actual, identical = v.Identical })
            : Problems.NotFound(http, "edition", $"Cycle '{cycleId}' has no {kind.ToString().ToLowerInvariant()} edition {edition}.");
}
