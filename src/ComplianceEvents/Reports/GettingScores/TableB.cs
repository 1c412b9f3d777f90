using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Reports.AsOf;
using Marten;

namespace ComplianceEvents.Reports.GettingScores;

/// <summary>
/// Table B (DESIGN 1.2 rules 3-5) as `scores` and GET /scores read it. There is one Table B model, <see cref="ReportModel"/>:
/// the cells, row and column averages every report format lays out. Without a window it is read from the inline documents
/// (no evidence); with one it is the window's report itself (rule 11).
/// </summary>
public static class TableB
{
    /// <summary>The current approvals: commitments by number, members in the cycle's order; no evidence, rationale or window.</summary>
    public static ReportModel Build(Cycle cycle, IEnumerable<Commitment> commitments, IEnumerable<CellScore> scores)
    {
        var byCell = scores.ToDictionary(s => (s.CommitmentId, s.MemberCode));
        MemberSection Cell(Commitment c, Member m)
        {
            var score = byCell.GetValueOrDefault((c.CommitmentId, m.Code));
            return new MemberSection(m, score?.Score, !c.IsApplicable(m.Code), c.NotApplicable.GetValueOrDefault(m.Code), null, [],
                score?.RubricVersion, [], 0);
        }
        return new ReportModel(cycle.CycleId, cycle.SummitName, cycle.HostCity, cycle.HostCountry, cycle.SummitStart, cycle.SummitEnd,
            cycle.PreparedBy, null, null, null, null, cycle.Members,
            commitments.OrderBy(c => c.Number).Select(c => CommitmentSection.Of(c, cycle.Members.Select(m => Cell(c, m)).ToList()))
                .ToList());
    }

    /// <summary>
    /// Reads the cycle, its commitments (applicability) and its cells' approved scores in one round trip: every
    /// document read here is written by one stream only (docs/adr/0003-read-models-under-concurrent-writes.md).
    /// </summary>
    public static async Task<ReportModel?> Load(IQuerySession session, string cycleId, CancellationToken ct = default)
    {
        var batch = session.CreateBatchQuery();
        var cycle = batch.Load<Cycle>(Cycle.StreamKey(cycleId));
        var commitments = batch.Query<Commitment>().Where(c => c.CycleId == cycleId).ToList();
        var scores = batch.Query<CellScore>().Where(c => c.CycleId == cycleId).ToList();
        await batch.Execute(ct);
        return await cycle is { } c ? Build(c, await commitments, await scores) : null;
    }

    /// <summary>Table B as a window's report counts it (rule 11): the report of that window as of now.</summary>
    public static Task<ReportModel?> LoadForWindow(IQuerySession session, string cycleId, ReportKind kind,
        CancellationToken ct = default) =>
        Reporting.AsOf(session, cycleId, kind, AsOfPoint.Now, ct);

    /// <summary>Each commitment's assessment table, as the seeds print it under the commitment's title (the `scores` CLI).</summary>
    public static string ToText(ReportModel m)
    {
        var lines = new List<string>();
        var width = Math.Max(16, m.Members.Max(x => x.Name.Length) + 2);
        foreach (var c in m.Commitments)
        {
            lines.Add($"{c.Number}. {c.IssueArea}: {c.Title}");
            foreach (var cell in c.Cells) lines.Add($"  {cell.Member.Name.PadRight(width)}{cell.Display}");
            lines.Add($"  {"Average".PadRight(width)}{c.Average.DisplayWithPercent}");
            lines.Add("");
        }
        lines.Add($"Overall: {m.Overall.DisplayWithPercent}");
        return string.Join(Environment.NewLine, lines);
    }
}
