using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Chain;
using ComplianceEvents.Reports.Rendering;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ComplianceEvents.Reports.GettingReport;

public static class GetReportEndpoint
{
    /// <summary>
    /// The report in any format, as of now, a sequence, a time, or a published edition (same rules as the CLI `report`). An
    /// edition is immutable: it carries a strong ETag (its content hash and the format), answers a matching If-None-Match with
    /// 304, and is rendered once per process and format (<see cref="EditionRenderings"/>).
    /// </summary>
    [WolverineGet("/cycles/{cycleId}/report", OperationId = "GetReport"), Tags("Reports"),
        ProducesResponseType<ReportJson>(StatusCodes.Status200OK, "application/json"),
        ProducesResponseType<string>(StatusCodes.Status200OK, "text/markdown", "text/html", "text/csv"),
        ProducesResponseType(StatusCodes.Status304NotModified, Description = "An edition the client already holds (If-None-Match).")]
    public static async Task<IResult> Get(string cycleId, string? kind, int? edition, long? asOfSequence, string? asOfTime, string? format,
        IQuerySession session, LogHorizon horizon, EditionRenderings editions, ChainStatus chain, HttpContext http, CancellationToken ct)
    {
        var (request, problem) = ReportRequest.Parse(cycleId, kind, edition, asOfSequence, asOfTime, format);
        if (request is null)
            return Problems.Problem(http, StatusCodes.Status400BadRequest, "validation", problem!, [new FieldError("query",
                "report-options", problem!)]);
        if (request.Edition is { } n)
        {
            var cycle = await session.LoadAsync<Cycle>(Cycle.StreamKey(cycleId), ct);
            if (cycle?.FindEdition(request.Kind!.Value, n) is not { } published) return Problems.Refuse(http, request.NoSuchEdition());
            // An edition computed from a log that a verification found rewritten is not served as if it were what was published.
            if (chain.Broken is { } broken && broken.Sequence <= published.PinnedSequence)
                return Problems.Problem(http, StatusCodes.Status409Conflict, "log-broken", $"The event log this edition was computed " +
                    $"from is not what was written ({broken}); it is not served until the log is restored and verify-log finds it " +
                    "intact. GET /log/verification names every break.", []);
            var etag = EditionRenderings.ETag(published, request.Format);
            http.Response.GetTypedHeaders().ETag = etag;
            http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
            if (EditionRenderings.NotModified(http.Request, etag)) return Results.StatusCode(StatusCodes.Status304NotModified);
            return Results.Text(await editions.Get(cycleId, published, request.Format, ct), ReportFormats.ContentType(request.Format));
        }
        var (text, refusal) = await request.Render(session, horizon, ct);
        return text is null ? Problems.Refuse(http, refusal!) : Results.Text(text, ReportFormats.ContentType(request.Format));
    }
}
