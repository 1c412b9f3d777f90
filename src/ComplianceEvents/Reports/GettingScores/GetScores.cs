using ComplianceEvents.Infrastructure;
using ComplianceEvents.Cycles;
using Marten;
using Wolverine.Http;

namespace ComplianceEvents.Reports.GettingScores;

public static class GetScoresEndpoint
{
    /// <summary>
    /// Table B: cells, row and column averages, overall. Without <paramref name="kind"/> every current approval (from the
    /// cells' CellScore documents); with it, the scores that window's report counts (DESIGN 1.2 rule 11).
    /// </summary>
    [WolverineGet("/cycles/{cycleId}/scores", OperationId = "GetScores"), Tags("Reports")]
    public static async Task<IResult> Get(string cycleId, string? kind, IQuerySession session, HttpContext http, CancellationToken ct)
    {
        ReportKind? window = null;
        if (kind is not null)
        {
            if (!Enum.TryParse<ReportKind>(kind, true, out var parsed) || int.TryParse(kind, out _))
                return Problems.Problem(http, StatusCodes.Status400BadRequest, "validation", "kind must be interim or final",
                    [new FieldError("kind", "report-kind", "kind must be interim or final")]);
            window = parsed;
        }
        var found = window is { } k ? await ScoreTable.LoadForWindow(session, cycleId, k, ct) : await ScoreTable.Load(session, cycleId, ct);
        if (found is not { } table) return Problems.NotFound(http, "cycle", $"Cycle '{cycleId}' does not exist.");
        return Results.Ok(new
        {
            cycleId,
            members = table.Cycle.Members.Select(m => new { m.Code, m.Name, average = table.MemberAverage(m.Code).Display }),
            commitments = table.Commitments.Select(c => new
            {
                c.CommitmentId, c.Number, c.IssueArea, c.Title,
                cells = c.Cells.Select(x => new { member = x.MemberCode, x.Score, x.NotApplicable, display = x.Display }),
                average = c.Average.DisplayWithPercent,
            }),
            overall = table.Overall.DisplayWithPercent,
        });
    }
}
