using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ComplianceEvents.Reports.VerifyingReport;

/// <summary>An edition's stored SHA-256 (<paramref name="Published"/>) against that of its regeneration.</summary>
public sealed record VerificationView(string CycleId, string Kind, int Edition, long PinnedSequence, string Published,
    string Regenerated, bool Identical);

public static class VerifyReportEndpoint
{
    /// <summary>Regenerates the edition from its pinned sequence and compares SHA-256 digests.</summary>
    [WolverineGet("/cycles/{cycleId}/reports/{kind}/editions/{edition}/verification", OperationId = "VerifyReport"), Tags("Reports"),
        ProducesResponseType<VerificationView>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(string cycleId, ReportKind kind, int edition, IQuerySession session, HttpContext http,
        CancellationToken ct) =>
        await Reporting.Verify(session, cycleId, kind, edition, ct) is { } v
            ? Results.Ok(new VerificationView(v.CycleId, v.Kind.ToString().ToLowerInvariant(), v.Edition, v.PinnedSequence, v.Expected,
                v.Actual, v.Identical))
            : Problems.NotFound(http, "edition", $"Cycle '{cycleId}' has no {kind.ToString().ToLowerInvariant()} edition {edition}.");
}
