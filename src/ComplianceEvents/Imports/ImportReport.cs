using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Imports;

/// <summary>What an import did, step by step: created, already there (replayed), flagged, refused.</summary>
public sealed class ImportReport
{
    private readonly List<(string Step, CommandResult Result)> _steps = [];

    public IReadOnlyList<string> Errors => _errors;
    private readonly List<string> _errors = [];

    public void Add(string step, CommandResult result) => _steps.Add((step, result));
    public void Error(string message) => _errors.Add(message);

    public int Created => _steps.Count(s => s.Result.IsAccepted && !s.Result.Replayed);
    public int AlreadyThere => _steps.Count(s => s.Result.IsAccepted && s.Result.Replayed);
    public IEnumerable<(string Step, string Flag)> Flags => _steps.Where(s => s.Result.IsAccepted).SelectMany(s => s.Result.Flags.Select(f => (s.Step, f)));
    public IEnumerable<(string Step, CommandResult Result)> Refused => _steps.Where(s => !s.Result.IsAccepted);
    public bool Succeeded => _errors.Count == 0 && !Refused.Any();

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
