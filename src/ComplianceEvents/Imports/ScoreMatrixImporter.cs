using System.Text.RegularExpressions;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Commitments;
using ComplianceEvents.Commitments.ChangingApplicability;
using ComplianceEvents.Commitments.PublishingRubric;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.Cycles;
using ComplianceEvents.Cycles.OpeningCycle;
using ComplianceEvents.Infrastructure;
using Marten;

namespace ComplianceEvents.Imports;

/// <summary>
/// Historical score matrices (docs/import-format.md), all or nothing: the whole file is parsed, compared with what the store
/// holds and decided step by step in memory (<see cref="ImportTransaction"/>); one refused line refuses the file with one
/// report line per refused line and appends nothing. A row identical to an existing commitment's approved scores is a
/// no-op; a row that would change them is refused (a change goes through proposals and approvals).
/// </summary>
public sealed class ScoreMatrixImporter(IDocumentStore store, CommandValidators validators, CommandSlices slices, TimeProvider clock,
    ImportProgress? progress = null)
{
    public static ScoreMatrixImporter From(IServiceProvider services, ImportProgress? progress = null) =>
        new(services.GetRequiredService<IDocumentStore>(), services.GetRequiredService<CommandValidators>(),
            services.GetRequiredService<CommandSlices>(), services.GetRequiredService<TimeProvider>(), progress);

    public const string Proposer = "import";
    public const string Reviewer = "import-reviewer";

    public static (IReadOnlyList<string> Members, IReadOnlyList<ScoreMatrix.Row> Rows, IReadOnlyList<string> Errors) Parse(string text) =>
        ScoreMatrix.Parse(text);

    public async Task<ImportReport> Import(string text, string fileName, CancellationToken ct = default)
    {
        var report = new ImportReport();
        var (members, rows, errors) = Parse(text);
        foreach (var e in errors) report.Error(e);
        if (!report.Succeeded) return report;

        await using var tx = await ImportTransaction.Begin(store, validators, slices, clock.GetUtcNow(), ct);
        var steps = new List<(string Step, CommandResult Result)>();
        var done = 0;
        foreach (var group in rows.GroupBy(r => r.Cycle))
        {
            await tx.Load(group.Key, ct);
            var lines = group.ToList();
            if (OpenCycle(tx, group.Key, lines, members, report, steps) is not { } scored) { done += lines.Count; continue; }
            var number = 0;
            foreach (var row in lines)
            {
                number++;
                ImportRow(tx, row, int.TryParse(row.Commitment, out var n) ? n : number, scored, fileName, report, steps);
                progress?.Report(++done, rows.Count);
            }
        }
        if (!report.Succeeded) return report;
        if (tx.Events > 0 && await (progress?.Saving(tx.Events, tx.Commit(ct)) ?? tx.Commit(ct)) is { } conflict)
        {
            report.Error($"{conflict.Rule}: {conflict.Message}");
            return report;
        }
        foreach (var (step, result) in steps) report.Add(step, result);
        return report;
    }

    /// <summary>The cycle's members: those it already has, or (a new cycle) those the file scores; null when the cycle is
    /// refused.</summary>
    private static IReadOnlyList<string>? OpenCycle(ImportTransaction tx, string cycleId, IReadOnlyList<ScoreMatrix.Row> rows,
        IReadOnlyList<string> members, ImportReport report, List<(string, CommandResult)> steps)
    {
        var scored = members.Where(m => rows.Any(r => r.Cells.GetValueOrDefault(m) is not null)).ToList();
        var first = rows[0].Line;
        if (tx.Cycle(cycleId) is { } existing)
        {
            var missing = scored.Where(m => !existing.HasMember(m)).ToList();
            if (missing.Count == 0) return scored;
            report.Error($"line {rows.First(r => missing.Any(m => r.Cells.GetValueOrDefault(m) is not null)).Line}: cycle {cycleId} " +
                $"exists without "
                + $"member {string.Join(", ", missing)}, which the file scores");
            return null;
        }
        if (!Regex.IsMatch(cycleId, @"^\d{4}-"))
        {
            report.Error($"line {first}: a new cycle id must start with its year (e.g. 2014-brussels) to date it");
            return null;
        }
        // The matrix knows only the id: the name is the id, the summit is dated to the id's year (docs/import-format.md).
        var year = int.Parse(cycleId[..4], System.Globalization.CultureInfo.InvariantCulture);
        var open = new OpenCycle(cycleId, cycleId, "not recorded", "not recorded", new DateOnly(year, 1, 1), new DateOnly(year, 1, 1),
            scored.Select(m => new Member(m, MemberNames.For(m))).ToList());
        return Step(tx, first, $"{cycleId}:cycle", open, Reviewer, Roles.ComplianceDirector, report, steps) ? scored : null;
    }

    private static void ImportRow(ImportTransaction tx, ScoreMatrix.Row row, int number, IReadOnlyList<string> scored, string file,
        ImportReport report, List<(string, CommandResult)> steps)
    {
        var (cycleId, id) = (row.Cycle, row.Commitment);
        if (tx.Commitment(cycleId, id) is not null)
        {
            var changes = scored.Select(m => (Member: m, Stored: tx.Assessment(cycleId, id, m)?.Approved?.Score,
                File: row.Cells.GetValueOrDefault(m)))
                .Where(c => c.Stored != c.File).Select(c => $"{c.Member} {Show(c.Stored)} -> {Show(c.File)}").ToList();
            if (changes.Count > 0)
                report.Error($"line {row.Line}: commitment {id} of {cycleId} exists and the row would change its approved scores "
                    + $"({string.Join(", ", changes)}); change a score through a proposal and its approval");
            else report.Unchanged($"{cycleId}:commitment:{id}");
            return;
        }
        var step = $"{cycleId}:commitment:{id}";
        bool Send(string name, object command, string user, string role) => Step(tx, row.Line, name, command, user, role, report, steps);

        if (!Send(step, new SelectCommitment(cycleId, id, number, row.Area, row.Title, row.Text, file, Proposer), Reviewer,
            Roles.ComplianceDirector)) return;
        var note = $"Scores imported from {file}, line {row.Line}; the scoring guidelines were not recorded.";
        if (!Send($"{step}:rubric", new PublishRubric(cycleId, id, new RubricInput(note, note, note)), Reviewer,
            Roles.ComplianceDirector)) return;
        // The commitment's own steps first, then the cells': the log keeps one stream's steps together.
        foreach (var m in scored.Where(m => row.Cells.GetValueOrDefault(m) is null))
            if (!Send($"{step}:{m}:not-applicable", new MarkMemberNotApplicable(cycleId, id, m, $"No score in {file}, line {row.Line}."),
                    Reviewer, Roles.ComplianceDirector)) return;
        foreach (var m in scored)
        {
            if (row.Cells.GetValueOrDefault(m) is not { } score) continue;
            var proposal = $"{step}:{m}:proposal";
            if (!Send(proposal, new ProposeScore(cycleId, id, m, score, $"Historical score imported from {file}, line {row.Line}.", [], 1),
                Proposer, Roles.Analyst)
                || !Send($"{step}:{m}:approval", new ApproveScore(cycleId, id, m, steps[^1].Item2.ResourceId!, $"Source: {file}"),
                    Reviewer, Roles.ComplianceDirector))
                return;
        }
    }

    /// <summary>One step; a refusal is the line's one report line and stops the rest of the line (no cascade of follow-on
    /// errors).</summary>
    private static bool Step(ImportTransaction tx, int line, string step, object command, string user, string role,
        ImportReport report, List<(string, CommandResult)> steps)
    {
        var result = tx.Send(command, new Actor(user, [role]), $"import-csv:{step}");
        if (!result.IsAccepted)
        {
            report.Error($"line {line}: {ImportReport.Describe(result)}");
            return false;
        }
        steps.Add((step, result));
        return true;
    }

    private static string Show(int? score) => score is { } s ? Assessments.Scores.Format(s) : "none";
}
