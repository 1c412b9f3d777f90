using ComplianceEvents.Infrastructure;
using JasperFx.CommandLine;
using Marten;

namespace ComplianceEvents.Reports.GettingScores;

public sealed class ScoresInput : NetCoreInput
{
    [Description("Cycle id, e.g. 2024-apulia")]
    public string Cycle { get; set; } = "";
}

[Description("Print each commitment's current approved scores and averages", Name = "scores")]
public sealed class ScoresCommand : JasperFxAsyncCommand<ScoresInput>
{
    public ScoresCommand() => Usage("Print a cycle's scores").Arguments(x => x.Cycle);

    public override async Task<bool> Execute(ScoresInput input)
    {
        using var host = await CliHost.Start(input);
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var table = await ScoreTable.Load(session, input.Cycle);
        if (table is null)
        {
            await Console.Error.WriteLineAsync($"scores: cycle '{input.Cycle}' does not exist");
            return false;
        }
        await CliHost.Out.WriteLineAsync(table.ToText());
        return true;
    }
}
