using ComplianceEvents.Infrastructure;
using ComplianceEvents.Cycles;
using Marten;
using Wolverine.Http;

namespace ComplianceEvents.Reports.GettingScores;

/// <summary>Table B as GET /cycles/{cycleId}/scores answers it: averages as displayed (<c>+0.38</c>, <c>+0.38 (69%)</c>).</summary>
public sealed record ScoresView(string CycleId, IReadOnlyList<ScoresMember> Members, IReadOnlyList<ScoresCommitment> Commitments,
    string Overall)
{
    public static ScoresView From(ReportModel m) => new(m.CycleId,
        m.Members.Select(x => new ScoresMember(x.Code, x.Name, m.MemberAverage(x.Code).Display)).ToList(),
        m.Commitments.Select(c => new ScoresCommitment(c.CommitmentId, c.Number, c.IssueArea, c.Title,
            c.Cells.Select(x => new ScoresCell(x.Member.Code, x.Score, x.NotApplicable, x.Display)).ToList(),
            c.Average.DisplayWithPercent)).ToList(),
        m.Overall.DisplayWithPercent);
}

public sealed record ScoresMember(string Code, string Name, string Average);

public sealed record ScoresCommitment(string CommitmentId, int Number, string IssueArea, string Title, IReadOnlyList<ScoresCell> Cells,
    string Average);

public sealed record ScoresCell(string Member, int? Score, bool NotApplicable, string Display);

public static class GetScoresEndpoint
{
    /// <summary>
    /// Table B: cells, row and column averages, overall. Without <paramref name="kind"/> every current approval (from the
    /// cells' CellScore documents); with it, the scores that window's report counts (DESIGN 1.2 rule 11).
    /// </summary>
    [WolverineGet("/cycles/{cycleId}/scores", OperationId = "GetScores"), Tags("Reports"),
        Microsoft.AspNetCore.Mvc.ProducesResponseType<ScoresView>(StatusCodes.Status200OK)]
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
        var found = window is { } k ? await TableB.LoadForWindow(session, cycleId, k, ct) : await TableB.Load(session, cycleId, ct);
        if (found is not { } table) return Problems.NotFound(http, "cycle", $"Cycle '{cycleId}' does not exist.");
        return Results.Ok(ScoresView.From(table));
    }
}
