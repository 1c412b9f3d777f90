using System.Text.RegularExpressions;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Imports;

/// <summary>
/// The historical score matrix (docs/import-format.md) as read from its text: one row per commitment, one column per member.
/// Every problem is one line of the report naming its line; a line's problems are joined on that line.
/// </summary>
public static class ScoreMatrix
{
    /// <summary>The limit of SelectCommitment's title: a derived title is cut to it at a word boundary.</summary>
    public const int TitleLimit = 300;

    private static readonly string[] Fixed = ["cycle", "commitment", "area", "text"];

    public sealed record Row(int Line, string Cycle, string Commitment, string Area, string Text, string Title, IReadOnlyDictionary<string,
        int?> Cells);

    public static (IReadOnlyList<string> Members, IReadOnlyList<Row> Rows, IReadOnlyList<string> Errors) Parse(string text)
    {
        List<(int Line, IReadOnlyList<string> Fields)> records;
        try { records = Csv.Read(text).ToList(); }
        catch (FormatException e) { return ([], [], [e.Message]); }
        if (records.Count == 0) return ([], [], ["line 1: the file is empty"]);
        var header = records[0].Fields.Select(h => h.Trim()).ToList();
        if (header.Count < 5 || !header.Take(4).SequenceEqual(Fixed, StringComparer.OrdinalIgnoreCase))
            return ([], [],
                ["line 1: the header must start with cycle,commitment,area,text (then an optional title) and name at least one member " +
                    "code"]);
        var hasTitle = string.Equals(header[4], "title", StringComparison.OrdinalIgnoreCase);
        var first = hasTitle ? 5 : 4;
        var members = header.Skip(first).Where(m => m.Length > 0).ToList();
        var headerProblems = members.Where(m => !MemberNames.IsKnown(m))
            .Select(m => $"member code \"{m}\" is not one of {string.Join(", ", MemberNames.Codes)}")
            .Concat(members.GroupBy(m => m).Where(g => g.Count() > 1).Select(g => $"member code {g.Key} appears twice"))
            .Concat(members.Count == 0 ? ["no member code"] : []).ToList();
        if (headerProblems.Count > 0) return (members, [], [$"line 1: {string.Join("; ", headerProblems)}"]);

        var rows = new List<Row>();
        var errors = new List<string>();
        foreach (var (line, fields) in records.Skip(1))
        {
            if (fields.Count < first + members.Count)
            {
                errors.Add($"line {line}: expected {first + members.Count} fields, found {fields.Count}");
                continue;
            }
            var problems = new List<string>();
            var cells = new Dictionary<string, int?>();
            for (var i = 0; i < members.Count; i++)
            {
                var raw = fields[first + i].Trim();
                int? score = raw switch { "" => null, "-1" => -1, "0" => 0, "1" or "+1" => 1, _ => int.MinValue };
                if (score == int.MinValue) problems.Add($"{members[i]} = \"{raw}\": a score is -1, 0, +1 or empty (not applicable)");
                else cells[members[i]] = score;
            }
            var body = fields[3].Trim();
            var title = hasTitle && fields[4].Trim() is { Length: > 0 } given ? given : DeriveTitle(body);
            var row = new Row(line, fields[0].Trim(), fields[1].Trim(), fields[2].Trim(), body, title, cells);
            if (!Regex.IsMatch(row.Cycle, Slugs.Pattern)) problems.Add($"cycle \"{row.Cycle}\": {Slugs.Message}");
            if (!Regex.IsMatch(row.Commitment, Slugs.Pattern)) problems.Add($"commitment \"{row.Commitment}\": {Slugs.Message}");
            if (body.Length == 0) problems.Add("text is empty");
            if (rows.FirstOrDefault(r => r.Cycle == row.Cycle && r.Commitment == row.Commitment) is { } twin)
                problems.Add($"commitment {row.Commitment} of {row.Cycle} already appears on line {twin.Line}");
            if (problems.Count > 0) errors.Add($"line {line}: {string.Join("; ", problems)}");
            rows.Add(row);
        }
        return (members, rows, errors);
    }

    /// <summary>The text itself when it fits the title limit, else its words up to the limit, ending in an ellipsis.</summary>
    public static string DeriveTitle(string text)
    {
        var flat = Regex.Replace(text.Trim(), @"\s+", " ");
        if (flat.Length <= TitleLimit) return flat;
        var cut = flat[..(TitleLimit - 1)];
        var space = cut.LastIndexOf(' ');
        return (space > 0 ? cut[..space] : cut).TrimEnd(' ', ',', ';', ':', '.') + "…";
    }
}

/// <summary>The member codes the method knows (DESIGN 1.1: the G7, the EU, Russia for older cycles), with display names.</summary>
public static class MemberNames
{
    private static readonly Dictionary<string, string> Names = new()
    {
        ["CA"] = "Canada", ["FR"] = "France", ["DE"] = "Germany", ["IT"] = "Italy", ["JP"] = "Japan",
        ["UK"] = "United Kingdom", ["US"] = "United States", ["EU"] = "European Union", ["RU"] = "Russia",
    };

    public static IEnumerable<string> Codes => Names.Keys;

    public static bool IsKnown(string code) => Names.ContainsKey(code);

    public static string For(string code) => Names.GetValueOrDefault(code, code);
}
