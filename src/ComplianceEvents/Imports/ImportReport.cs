using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Imports;

/// <summary>What an import did, step by step: created, already there (replayed), flagged, refused.</summary>
public sealed class ImportReport
{
    private readonly List<(string Step, CommandResult Result)> _steps = [];

    public IReadOnlyList<string> Errors => _errors;
    private readonly List<string> _errors = [];

    private readonly List<string> _unchanged = [];

    public void Add(string step, CommandResult result) => _steps.Add((step, result));
    public void Error(string message) => _errors.Add(message);

    /// <summary>The file as a whole was refused, in one line (import --bulk on a cycle that exists).</summary>
    public string? Refusal { get; private set; }

    public ImportReport Refuse(string line)
    {
        Refusal = line;
        _errors.Add(line);
        return this;
    }

    /// <summary>Something the file describes that the store already holds as described: nothing is sent for it.</summary>
    public void Unchanged(string step) => _unchanged.Add(step);

    public int Steps => _steps.Count + _unchanged.Count;
    public int Created => _steps.Count(s => s.Result.IsAccepted && !s.Result.Replayed);
    public int AlreadyThere => _steps.Count(s => s.Result.IsAccepted && s.Result.Replayed) + _unchanged.Count;
    public IEnumerable<(string Step, string Flag)> Flags => _steps.Where(s => s.Result.IsAccepted).SelectMany(s => s.Result.Flags.Select(f
        => (s.Step, f)));
    public IEnumerable<(string Step, CommandResult Result)> Refused => _steps.Where(s => !s.Result.IsAccepted);
    public bool Succeeded => _errors.Count == 0 && !Refused.Any();

    /// <summary>A refusal in one line: the rule and each field with its reason.</summary>
    public static string Describe(CommandResult r) =>
        r.Errors.Count > 0
            ? string.Join("; ", r.Errors.Select(e => $"{e.Field} ({e.Rule}): {e.Message}"))
            : $"{r.Rule}: {r.Message}";

    public string Summary()
    {
        var lines = new List<string> { $"created: {Created} commands", $"already there: {AlreadyThere} commands" };
        var flags = Flags.ToList();
        lines.Add($"flagged: {flags.Count}");
        lines.AddRange(flags.Select(f => $"  {f.Step}: {f.Flag}"));
        var refused = Refused.ToList();
        if (refused.Count > 0)
        {
            lines.Add($"refused: {refused.Count}");
            lines.AddRange(refused.Select(r => $"  {r.Step}: {r.Result.Outcome} {r.Result.Rule}: {r.Result.Message}"
                + string.Concat(r.Result.Errors.Select(e => $"\n    {e.Field}: {e.Message}"))));
        }
        if (_errors.Count > 0)
        {
            lines.Add($"errors: {_errors.Count}");
            lines.AddRange(_errors.Select(e => "  " + e));
        }
        return string.Join(Environment.NewLine, lines);
    }
}
