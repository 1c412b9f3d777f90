using ComplianceEvents.Infrastructure;
using JasperFx.CommandLine;
using ComplianceEvents.Cycles;
using Marten;

namespace ComplianceEvents.Reports.GettingScores;

public sealed class ScoresInput : NetCoreInput
{
    [Description("Cycle id, e.g. 2024-apulia")]
    public string Cycle { get; set; } = "";

    [Description("interim or final: the scores that window's report counts (a score resting on evidence outside it gives way to the " +
        "latest approval that qualifies)")]
    public string? KindFlag { get; set; }
}

[Description("Print each commitment's current approved scores and averages", Name = "scores")]
public sealed class ScoresCommand : JasperFxAsyncCommand<ScoresInput>
{
    public ScoresCommand() => Usage("Print a cycle's scores").Arguments(x => x.Cycle);

    public override async Task<bool> Execute(ScoresInput input)
    {
        ReportKind? kind = null;
        if (input.KindFlag is { } text)
        {
            if (!Enum.TryParse<ReportKind>(text, true, out var parsed) || int.TryParse(text, out _))
            {
                await Console.Error.WriteLineAsync($"scores: --kind must be interim or final, not '{text}'");
                return false;
            }
            kind = parsed;
        }
        using var host = await CliHost.Start(input);
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var table = kind is { } k ? await TableB.LoadForWindow(session, input.Cycle, k) : await TableB.Load(session, input.Cycle);
        if (table is null)
        {
            await Console.Error.WriteLineAsync($"scores: cycle '{input.Cycle}' does not exist");
            return false;
        }
        await CliHost.Out.WriteLineAsync(TableB.ToText(table));
        return true;
    }
}
