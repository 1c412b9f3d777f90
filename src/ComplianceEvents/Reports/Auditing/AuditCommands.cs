using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using JasperFx.CommandLine;
using Marten;

namespace ComplianceEvents.Reports.Auditing;

public class CellInput : NetCoreInput
{
    [Description("Cycle id")] public string Cycle { get; set; } = "";
    [Description("Commitment id")] public string Commitment { get; set; } = "";
    [Description("Member code")] public string Member { get; set; } = "";
}

[Description("The timeline of one assessment: when, who, what, why, which evidence and rubric", Name = "audit")]
public sealed class AuditCommand : JasperFxAsyncCommand<CellInput>
{
    public AuditCommand() => Usage("Audit a cell").Arguments(x => x.Cycle, x => x.Commitment, x => x.Member);

    public override async Task<bool> Execute(CellInput input)
    {
        using var host = await CliHost.Start(input);
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var entries = await AuditTrail.Of(session, new CellStreams(input.Cycle, input.Commitment, input.Member), default);
        if (entries.Count == 0)
        {
            Console.Error.WriteLine($"audit: no assessment {input.Cycle}/{input.Commitment}/{input.Member} has been recorded");
            return false;
        }
        await CliHost.Out.WriteAsync(AuditTrail.ToText(entries));
        return true;
    }
}

public sealed class ExplainInput : CellInput
{
    [Description("interim, final, edition:N, interim:N, final:N, a sequence or an ISO time")] public string FromFlag { get; set; } = "";
    [Description("interim, final, edition:N, interim:N, final:N, a sequence or an ISO time")] public string ToFlag { get; set; } = "";
    [Description("The window that edition:N, sequences and times use (interim or final)")] public string? KindFlag { get; set; }
}

[Description("Explain why a cell's score changed between two points: score before and after, and the typed causes", Name = "explain")]
public sealed class ExplainCommand : JasperFxAsyncCommand<ExplainInput>
{
    public ExplainCommand() => Usage("Explain a change").Arguments(x => x.Cycle, x => x.Commitment, x => x.Member);

    public override async Task<bool> Execute(ExplainInput input)
    {
        ReportKind? kind = null;
        if (input.KindFlag is { } k)
        {
            if (!Enum.TryParse<ReportKind>(k, true, out var parsed)) return Fail("--kind must be interim or final");
            kind = parsed;
        }
        using var host = await CliHost.Start(input);
        var horizon = host.Services.GetRequiredService<LogHorizon>();
        if ((await Explaining.CheckSettled(horizon, input.FromFlag, "--from", default) ?? await Explaining.CheckSettled(horizon,
            input.ToFlag, "--to", default)) is { } unsettled)
            return Fail($"{unsettled.Field}: {unsettled.Message}");
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var cycle = await session.LoadAsync<Cycle>(Cycle.StreamKey(input.Cycle));
        if (cycle is null) return Fail($"cycle '{input.Cycle}' does not exist");
        if (await session.LoadAsync<Commitment>(Commitment.StreamKey(input.Cycle, input.Commitment)) is null)
            return Fail($"commitment '{input.Commitment}' does not exist in {input.Cycle}");
        var clock = Explaining.FromLog(session, input.Cycle, default);
        var from = await Explaining.Resolve(cycle, clock, input.FromFlag, kind);
        var to = await Explaining.Resolve(cycle, clock, input.ToFlag, kind);
        if (from is null) return Fail($"--from '{input.FromFlag}' is not a point (interim, final, edition:N, a sequence or a time) of " +
            $"{input.Cycle}");
        if (to is null) return Fail($"--to '{input.ToFlag}' is not a point (interim, final, edition:N, a sequence or a time) of " +
            $"{input.Cycle}");
        var cell = new CellStreams(input.Cycle, input.Commitment, input.Member);
        await CliHost.Out.WriteAsync(Explaining.Explain(await cell.Read(session, withCycle: true, default), cell, from, to).ToText());
        return true;
    }

    private static bool Fail(string message)
    {
        Console.Error.WriteLine($"explain: {message}");
        return false;
    }
}

public sealed class CycleInput : NetCoreInput
{
    [Description("Cycle id")] public string Cycle { get; set; } = "";
}

[Description("Every cell whose score differs between the interim and the final report, with its explanation", Name = "compare")]
public sealed class CompareCommand : JasperFxAsyncCommand<CycleInput>
{
    public CompareCommand() => Usage("Compare interim and final").Arguments(x => x.Cycle);

    public override async Task<bool> Execute(CycleInput input)
    {
        using var host = await CliHost.Start(input);
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var cycle = await session.LoadAsync<Cycle>(Cycle.StreamKey(input.Cycle));
        if (cycle is null) { Console.Error.WriteLine($"compare: cycle '{input.Cycle}' does not exist"); return false; }
        var (changes, problem) = await Explaining.CompareInterimFinal(cycle, await Explaining.CycleEvents(session, input.Cycle, default));
        if (problem is not null) { Console.Error.WriteLine($"compare: {problem}"); return false; }
        await CliHost.Out.WriteAsync(changes.Count == 0 ? "no cell differs between interim and " +
            "final\n" : string.Concat(changes.Select(c => c.ToText())));
        return true;
    }
}

[Description("Approved scores that rest on an outdated rubric or on evidence changed after approval", Name = "stale")]
public sealed class StaleCommand : JasperFxAsyncCommand<CycleInput>
{
    public StaleCommand() => Usage("List stale approvals").Arguments(x => x.Cycle);

    public override async Task<bool> Execute(CycleInput input)
    {
        using var host = await CliHost.Start(input);
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var stale = await StaleApprovals.Of(session, input.Cycle, default);
        await CliHost.Out.WriteAsync(stale.Count == 0 ? "no stale approvals\n"
            : string.Concat(stale.Select(s => $"{s.CommitmentId} {s.Member} {s.Score}: {string.Join("; ", s.Reasons)}\n")));
        return true;
    }
}
