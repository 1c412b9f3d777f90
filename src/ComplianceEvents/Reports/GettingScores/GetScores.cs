using ComplianceEvents.Infrastructure;
using Marten;
using Wolverine.Http;

namespace ComplianceEvents.Reports.GettingScores;

public static class GetScoresEndpoint
{
    /// <summary>Table B from the inline scoreboard: cells, row and column averages, overall.</summary>
    [WolverineGet("/cycles/{cycleId}/scores", OperationId = "GetScores"), Tags("Reports")]
    public static async Task<IResult> Get(string cycleId, IQuerySession session, HttpContext http, CancellationToken ct)
    {
        if (await ScoreTable.Load(session, cycleId, ct) is not { } table) return Problems.NotFound(http, "cycle", $"Cycle '{cycleId}' does not exist.");
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
