using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports.Rendering;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ComplianceEvents.Reports.GettingReport;

public static class GetReportEndpoint
{
    /// <summary>The report in any format, as of now, a sequence, a time, or a published edition (same rules as the CLI `report`).</summary>
    [WolverineGet("/cycles/{cycleId}/report", OperationId = "GetReport"), Tags("Reports"),
        ProducesResponseType<ReportJson>(StatusCodes.Status200OK, "application/json"),
        ProducesResponseType<string>(StatusCodes.Status200OK, "text/markdown", "text/html", "text/csv")]
    public static async Task<IResult> Get(string cycleId, string? kind, int? edition, long? asOfSequence, string? asOfTime, string? format,
        IQuerySession session, LogHorizon horizon, HttpContext http, CancellationToken ct)
    {
        var (request, problem) = ReportRequest.Parse(cycleId, kind, edition, asOfSequence, asOfTime, format);
        if (request is null)
            return Problems.Problem(http, StatusCodes.Status400BadRequest, "validation", problem!, [new FieldError("query",
                "report-options", problem!)]);
        var (text, refusal) = await request.Render(session, horizon, ct);
        return text is null ? Problems.Refuse(http, refusal!) : Results.Text(text, ReportRenderers.ContentType(request.Format));
    }
}
