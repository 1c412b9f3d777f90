using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Reports.AsOf;
using Marten;

namespace ComplianceEvents.Reports.GettingScores;

/// <summary>A cell of Table B: an approved score, N/A, or nothing approved yet.</summary>
public sealed record ScoreCell(string MemberCode, int? Score, bool NotApplicable)
{
    public string Display => NotApplicable ? "N/A" : Score is { } s ? Scores.Format(s) : "";
}

public sealed record CommitmentScores(string CommitmentId, int Number, string IssueArea, string Title, IReadOnlyList<ScoreCell> Cells)
{
    public Average Average => Average.Of(Cells.Where(c => !c.NotApplicable && c.Score is not null).Select(c => c.Score!.Value));
}

/// <summary>The current approved scores of a cycle, commitments by number, members in the cycle's order (DESIGN 1.2 rules 3-5).</summary>
public sealed record ScoreTable(Cycle Cycle, IReadOnlyList<CommitmentScores> Commitments)
{
    public Average MemberAverage(string code) =>
        Average.Of(Commitments.SelectMany(c => c.Cells).Where(c => c.MemberCode == code && !c.NotApplicable
            && c.Score is not null).Select(c => c.Score!.Value));

    public Average Overall => Average.Of(Commitments.SelectMany(c => c.Cells).Where(c => !c.NotApplicable && c.Score is not null).Select(c
        => c.Score!.Value));

    public static ScoreTable Build(Cycle cycle, IEnumerable<Commitment> commitments, IEnumerable<CellScore> scores)
    {
        var byCell = scores.ToDictionary(s => (s.CommitmentId, s.MemberCode), s => s.Score);
        return new(cycle, commitments.OrderBy(c => c.Number).Select(c => new CommitmentScores(c.CommitmentId, c.Number, c.IssueArea,
            c.Title,
            cycle.Members.Select(m => new ScoreCell(m.Code, byCell.GetValueOrDefault((c.CommitmentId, m.Code)),
                !c.IsApplicable(m.Code))).ToList())).ToList());
    }

    /// <summary>
    /// Reads the cycle, its commitments (applicability) and its cells' approved scores in one round trip: every
    /// document read here is written by one stream only (docs/adr/0003-read-models-under-concurrent-writes.md).
    /// </summary>
    public static async Task<ScoreTable?> Load(IQuerySession session, string cycleId, CancellationToken ct = default)
    {
        var batch = session.CreateBatchQuery();
        var cycle = batch.Load<Cycle>(Cycle.StreamKey(cycleId));
        var commitments = batch.Query<Commitment>().Where(c => c.CycleId == cycleId).ToList();
        var scores = batch.Query<CellScore>().Where(c => c.CycleId == cycleId).ToList();
        await batch.Execute(ct);
        return await cycle is { } c ? Build(c, await commitments, await scores) : null;
    }

    /// <summary>
    /// Table B as a window's report counts it (DESIGN 1.2 rule 11: a score whose evidence lies outside the window gives
    /// way to the latest approval that qualifies, or none): folded from the cycle's events, as the report is.
    /// </summary>
    public static async Task<ScoreTable?> LoadForWindow(IQuerySession session, string cycleId, ReportKind kind,
        CancellationToken ct = default)
    {
        var state = await CycleHistory.StateAt(session, cycleId, AsOfPoint.Now, ct);
        if (state.Cycle is null) return null;
        var model = ReportBuilder.Build(state, kind);
        return new ScoreTable(state.Cycle, model.Commitments.Select(c => new CommitmentScores(c.CommitmentId, c.Number, c.IssueArea,
            c.Title,
            c.Cells.Select(x => new ScoreCell(x.Member.Code, x.Score, x.NotApplicable)).ToList())).ToList());
    }

    /// <summary>Each commitment's assessment table, as the seeds print it under the commitment's title.</summary>
    public string ToText()
    {
        var lines = new List<string>();
        var width = Math.Max(16, Cycle.Members.Max(m => m.Name.Length) + 2);
        foreach (var c in Commitments)
        {
            lines.Add($"{c.Number}. {c.IssueArea}: {c.Title}");
            foreach (var (cell, member) in c.Cells.Zip(Cycle.Members))
                lines.Add($"  {member.Name.PadRight(width)}{cell.Display}");
            lines.Add($"  {"Average".PadRight(width)}{c.Average.DisplayWithPercent}");
            lines.Add("");
        }
        lines.Add($"Overall: {Overall.DisplayWithPercent}");
        return string.Join(Environment.NewLine, lines);
    }
}
