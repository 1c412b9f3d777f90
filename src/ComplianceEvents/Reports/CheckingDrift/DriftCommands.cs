using ComplianceEvents.Infrastructure;
using JasperFx.CommandLine;

namespace ComplianceEvents.Reports.CheckingDrift;

public sealed class DriftInput : NetCoreInput
{
    [Description("Only this cycle's read models (default: every cycle)")]
    public string? CycleFlag { get; set; }
}

[Description("Compare every read model with a fresh fold of its events; exit 1 naming each difference", Name = "drift")]
public sealed class DriftCommand : JasperFxAsyncCommand<DriftInput>
{
    public DriftCommand() => Usage("Check the read models");

    public override async Task<bool> Execute(DriftInput input)
    {
        using var host = await CliHost.Start(input);
        var report = await host.Services.GetRequiredService<ReadModelDrift>().Check(input.CycleFlag);
        if (report.Clean)
        {
            await CliHost.Out.WriteLineAsync($"no drift: {report.Documents} documents of {report.Streams} streams match their events");
            return true;
        }
        await CliHost.Out.WriteAsync(string.Concat(report.Drifts.Select(d => d + "\n")));
        await Console.Error.WriteLineAsync($"drift: {report.Drifts.Count} read-model document(s) differ from their events; `repair` " +
            $"rebuilds them");
        return false;
    }
}

[Description("Rebuild from its events every read-model document that drifted (and delete orphans)", Name = "repair")]
public sealed class RepairCommand : JasperFxAsyncCommand<DriftInput>
{
    public RepairCommand() => Usage("Repair the read models");

    public override async Task<bool> Execute(DriftInput input)
    {
        using var host = await CliHost.Start(input);
        var drift = host.Services.GetRequiredService<ReadModelDrift>();
        var report = await drift.Check(input.CycleFlag);
        var repaired = await drift.Repair(report.Drifts);
        await CliHost.Out.WriteAsync(string.Concat(repaired.Select(d => $"rebuilt {d.ReadModel} {d.Id} (was {d.Problem})\n")));
        var after = await drift.Check(input.CycleFlag);
        await CliHost.Out.WriteLineAsync(after.Clean
            ? $"repaired {repaired.Count}; no drift: {after.Documents} documents of {after.Streams} streams match their events"
            : $"repaired {repaired.Count}; still drifting: {string.Join("; ", after.Drifts)}");
        return after.Clean;
    }
}
