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
using Wolverine;

namespace ComplianceEvents.Imports;

/// <summary>
/// Historical score matrices (docs/import-format.md): one row per commitment, one column per member.
/// The whole file is validated first; a bad cell refuses it with its line number and imports nothing.
/// </summary>
public sealed class ScoreMatrixImporter(IMessageBus bus, IQuerySession reader)
{
    public const string Proposer = "import";
    public const string Reviewer = "import-reviewer";
    private static readonly string[] Fixed = ["cycle", "commitment", "area", "text"];

    public sealed record Row(int Line, string Cycle, string Commitment, string Area, string Text, IReadOnlyDictionary<string, int?> Cells);

    public static (IReadOnlyList<string> Members, IReadOnlyList<Row> Rows, IReadOnlyList<string> Errors) Parse(string text)
    {
        var records = Csv.Read(text).ToList();
        var errors = new List<string>();
        if (records.Count == 0) return ([], [], ["line 1: the file is empty"]);
        var header = records[0].Fields.Select(h => h.Trim()).ToList();
        if (header.Count < 5 || !header.Take(4).SequenceEqual(Fixed, StringComparer.OrdinalIgnoreCase))
            return ([], [], ["line 1: the header must start with cycle,commitment,area,text and name at least one member code"]);
        var members = header.Skip(4).Where(m => m.Length > 0).ToList();
        errors.AddRange(members.Where(m => !Regex.IsMatch(m, "^[A-Z]{2,3}$")).Select(m => $"line 1: member code \"{m}\" must be 2 or 3 capital letters"));
        errors.AddRange(members.GroupBy(m => m).Where(g => g.Count() > 1).Select(g => $"line 1: member code {g.Key} appears twice"));

        var rows = new List<Row>();
        foreach (var (line, fields) in records.Skip(1))
        {
            if (fields.Count < 4 + members.Count)
            {
                errors.Add($"line {line}: expected {4 + members.Count} fields, found {fields.Count}");
                continue;
            }
            var cells = new Dictionary<string, int?>();
            for (var i = 0; i < members.Count; i++)
            {
                var raw = fields[4 + i].Trim();
                int? score = raw switch { "" => null, "-1" => -1, "0" => 0, "1" or "+1" => 1, _ => int.MinValue };
                if (score == int.MinValue) errors.Add($"line {line}: {members[i]} = \"{raw}\": a score is -1, 0, +1 or empty (not applicable)");
                else cells[members[i]] = score;
            }
            var row = new Row(line, fields[0].Trim(), fields[1].Trim(), fields[2].Trim(), fields[3].Trim(), cells);
            if (!Regex.IsMatch(row.Cycle, Slugs.Pattern)) errors.Add($"line {line}: cycle \"{row.Cycle}\": {Slugs.Message}");
            if (!Regex.IsMatch(row.Commitment, Slugs.Pattern)) errors.Add($"line {line}: commitment \"{row.Commitment}\": {Slugs.Message}");
            if (row.Text.Length == 0) errors.Add($"line {line}: text is empty");
            if (rows.FirstOrDefault(r => r.Cycle == row.Cycle && r.Commitment == row.Commitment) is { } twin)
                errors.Add($"line {line}: commitment {row.Commitment} of {row.Cycle} already appears on line {twin.Line}");
            rows.Add(row);
        }
        return (members, rows, errors);
    }

    public async Task<ImportReport> Import(string text, string fileName, CancellationToken ct = default)
    {
        var report = new ImportReport();
        var (members, rows, errors) = Parse(text);
        foreach (var e in errors) report.Error(e);
        foreach (var group in rows.GroupBy(r => r.Cycle))
        {
            var scored = members.Where(m => group.Any(r => r.Cells.GetValueOrDefault(m) is not null)).ToList();
            var existing = await reader.LoadAsync<Cycle>(Cycle.StreamKey(group.Key), ct);
            foreach (var m in scored.Where(m => existing is not null && !existing.HasMember(m)))
                report.Error($"cycle {group.Key} exists without member {m}, which the file scores (line {group.First(r => r.Cells.GetValueOrDefault(m) is not null).Line})");
            if (existing is null && !Regex.IsMatch(group.Key, @"^\d{4}-"))
                report.Error($"line {group.First().Line}: a new cycle id must start with its year (e.g. 2014-brussels) to date it");
        }
        if (!report.Succeeded) return report;

        foreach (var group in rows.GroupBy(r => r.Cycle))
            await ImportCycle(group.Key, group.ToList(), members, fileName, report, ct);
        return report;
    }

    private async Task ImportCycle(string cycleId, IReadOnlyList<Row> rows, IReadOnlyList<string> members, string file, ImportReport report, CancellationToken ct)
    {
        async Task<CommandResult> Send(string step, object command, string user, params string[] roles)
        {
            var result = await bus.InvokeAsync<CommandResult>(command, new Actor(user, roles).ToDeliveryOptions($"import-csv:{cycleId}:{step}"), ct);
            report.Add($"{cycleId}:{step}", result);
            return result;
        }

        var scored = members.Where(m => rows.Any(r => r.Cells.GetValueOrDefault(m) is not null)).ToList();
        if (await reader.LoadAsync<Cycle>(Cycle.StreamKey(cycleId), ct) is null)
        {
            // The matrix knows only the id: the name is the id, the summit is dated to the id's year (docs/import-format.md).
            var year = int.Parse(cycleId[..4], System.Globalization.CultureInfo.InvariantCulture);
            await Send("cycle", new OpenCycle(cycleId, cycleId, "not recorded", "not recorded", new DateOnly(year, 1, 1), new DateOnly(year, 1, 1),
                scored.Select(m => new Member(m, MemberNames.For(m))).ToList()), Reviewer, Roles.ComplianceDirector);
        }

        var number = 0;
        foreach (var row in rows)
        {
            number++;
            var step = $"commitment:{row.Commitment}";
            var n = int.TryParse(row.Commitment, out var parsed) ? parsed : number;
            await Send(step, new SelectCommitment(cycleId, row.Commitment, n, row.Area, row.Text, row.Text, file, Proposer), Reviewer, Roles.ComplianceDirector);
            var note = $"Scores imported from {file}, line {row.Line}; the scoring guidelines were not recorded.";
            await Send($"{step}:rubric", new PublishRubric(cycleId, row.Commitment, new RubricInput(note, note, note)), Reviewer, Roles.ComplianceDirector);
            foreach (var m in scored)
            {
                if (row.Cells.GetValueOrDefault(m) is not { } score)
                {
                    await Send($"{step}:{m}:not-applicable", new MarkMemberNotApplicable(cycleId, row.Commitment, m, $"No score in {file}, line {row.Line}."),
                        Reviewer, Roles.ComplianceDirector);
                    continue;
                }
                var proposed = await Send($"{step}:{m}:proposal", new ProposeScore(cycleId, row.Commitment, m, score,
                    $"Historical score imported from {file}, line {row.Line}.", [], 1), Proposer, Roles.Analyst);
                if (proposed.IsAccepted)
                    await Send($"{step}:{m}:approval", new ApproveScore(cycleId, row.Commitment, m, proposed.ResourceId!, $"Source: {file}"), Reviewer, Roles.ComplianceDirector);
            }
        }
    }
}

/// <summary>Display names of the codes the method uses; unknown codes show as themselves.</summary>
public static class MemberNames
{
    private static readonly Dictionary<string, string> Names = new()
    {
        ["CA"] = "Canada", ["FR"] = "France", ["DE"] = "Germany", ["IT"] = "Italy", ["JP"] = "Japan",
        ["UK"] = "United Kingdom", ["US"] = "United States", ["EU"] = "European Union", ["RU"] = "Russia",
    };

    public static string For(string code) => Names.GetValueOrDefault(code, code);
}
