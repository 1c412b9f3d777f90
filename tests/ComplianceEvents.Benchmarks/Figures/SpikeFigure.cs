using System.Diagnostics;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Benchmarks.Data;
using ComplianceEvents.Benchmarks.Hosting;
using ComplianceEvents.Benchmarks.Measuring;
using ComplianceEvents.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace ComplianceEvents.Benchmarks.Figures;

/// <summary>
/// Issue 20's spike, ADR 0005 (<c>dotnet run -c Release --project tests/ComplianceEvents.Benchmarks -- --spike [--spike-commands N]
/// [--spike-runs N]</c>): RecordEvidence on fresh cells through the product's runner (slice + <see cref="CommandRunner"/>) and
/// through Wolverine's aggregate handler workflow (<see cref="SpikeRecordEvidenceHandler"/>), on one host and one database,
/// alternating the order run by run; both with a command id (a receipt read and written per command). Not part of the full run.
/// </summary>
public static class SpikeFigure
{
    private sealed record Variant(string Name, Func<int, WorkItem, string, Task<CommandResult>> Send);

    public static async Task<int> Run(string[] args, TextWriter log)
    {
        var commands = Arg(args, "--spike-commands", 2_000);
        var runs = Arg(args, "--spike-runs", 3);
        using var cluster = BenchCluster.Start();
        using var probe = new Probe(cluster.ServerConnectionString);
        var ctx = new BenchContext(Sizes.Quick, probe, log);
        await using var host = await ProductHost.Start(await cluster.CreateDatabase("bench_spike"), Register);
        var runner = host.Services.GetRequiredService<CommandRunner>();
        ctx.Say($"spike: {commands} RecordEvidence commands per run, {runs} runs after a warm-up, c1 and c16");

        var cold = await ColdStarts(host, runner);
        ctx.Say($"first command on a started host: runner {cold.Runner:0} ms, aggregate handler {cold.Wolverine:0} ms "
            + "(its code generated and compiled)");
        ctx.Say($"the aggregate handler's generated code: {GeneratedSource(host)}");
        await Checks(ctx, host);
        await Races(ctx, host, runner);
        if (args.Contains("--spike-checks-only")) return 0;
        foreach (var (label, statements) in await Profiles(host, runner))
            ctx.Say($"round trips of one {label}:\n        " + string.Join("\n        ", statements));

        var seed = 500;
        foreach (var c in WriteFigures.Concurrencies)
        {
            var buses = Buses(host, c);
            Variant[] variants =
            [
                new("runner", (_, item, id) => runner.Send(item.Command, new CommandContext(item.Actor, id), default)),
                new("aggregate handler", (lane, item, id) => SendSpike(buses[lane], item, id)),
            ];
            var results = variants.ToDictionary(v => v.Name, _ => new List<(RunResult Run, Cost Cost)>());
            for (var run = 0; run <= runs; run++)
            {
                Variant[] order = run % 2 == 0 ? variants : [variants[1], variants[0]];
                foreach (var v in order)
                {
                    var size = run == 0 ? Math.Max(100, commands / 5) : commands;
                    var work = Workload($"s{c}{(v == variants[0] ? "r" : "w")}{run}", size, seed++);
                    var measured = await Measure(ctx, host, work, c, v);
                    ctx.Say($"spike c{c} {(run == 0 ? "warm-up" : $"run {run}")}: {v.Name} {measured.Run.Throughput:0}/s, "
                        + BenchContext.Describe(measured.Cost, measured.Cost.RoundTripsPerOp(explicitCommits: true)));
                    if (run > 0) results[v.Name].Add(measured);
                }
            }
            var (r, w) = (Median(results["runner"]), Median(results["aggregate handler"]));
            ctx.Say($"SPIKE c{c}: runner {r.Run.Throughput:0}/s (p50 {Summary.Of([r.Run]).P50Ms:0.0} ms, "
                + $"{r.Cost.RoundTripsPerOp(true):0.##} round trips, {r.Cost.WriteTransactionsPerOp:0.##} write tx), aggregate handler "
                + $"{w.Run.Throughput:0}/s (p50 {Summary.Of([w.Run]).P50Ms:0.0} ms, {w.Cost.RoundTripsPerOp(true):0.##} round trips, "
                + $"{w.Cost.WriteTransactionsPerOp:0.##} write tx); aggregate handler / runner "
                + $"= {w.Run.Throughput / r.Run.Throughput:0.00} "
                + $"(run by run: {string.Join(", ", results["aggregate handler"].Zip(results["runner"],
                    (a, b) => $"{a.Run.Throughput / b.Run.Throughput:0.00}"))})");
        }
        return 0;
    }

    /// <summary>The hosting hook: the spike's handler, discovered in the bench host only.</summary>
    public static void Register(IServiceCollection services) =>
        services.ConfigureWolverine(o => o.Discovery.IncludeType(typeof(SpikeRecordEvidenceHandler)));

    /// <summary>A bus per worker: Wolverine's IMessageBus is scoped.</summary>
    private static IMessageBus[] Buses(ProductHost host, int n) =>
        Enumerable.Range(0, n).Select(_ => host.Services.CreateScope().ServiceProvider.GetRequiredService<IMessageBus>()).ToArray();

    private static async Task<CommandResult> SendSpike(IMessageBus bus, WorkItem item, string commandId)
    {
        var message = new SpikeRecordEvidence((RecordEvidence)item.Command, item.Actor, commandId);
        await bus.InvokeAsync(message);
        return message.Result ?? throw new InvalidOperationException("The aggregate handler gave no answer.");
    }

    /// <summary>RecordEvidence items only (the workload's proposals and approvals are left out), on fresh cells.</summary>
    private static CommandWorkload Workload(string prefix, int evidence, int seed) =>
        CommandWorkload.Build(prefix, evidence * 12 / 10 + 12, 10, seed);

    private static async Task<(RunResult Run, Cost Cost)> Measure(BenchContext ctx, ProductHost host, CommandWorkload work, int c,
        Variant v)
    {
        await work.SetUp(host.NewSender());
        var items = work.Items.Where(i => i.Command is RecordEvidence).ToList();
        var before = await ctx.Probe.Read();
        long events = 0;
        var run = await Runner.Lanes(Runner.Split(items, c, i => i.Stream), async (lane, item) =>
        {
            var result = CommandWorkload.Expect(await v.Send(lane, item, Guid.NewGuid().ToString("N")), item.Command);
            Interlocked.Add(ref events, result.EventIds.Count);
        });
        return (run, await ctx.Probe.Explain(before, run.Operations, events));
    }

    private static (RunResult Run, Cost Cost) Median(List<(RunResult Run, Cost Cost)> runs) =>
        runs.OrderBy(r => r.Run.Throughput).ElementAt(runs.Count / 2);

    private static async Task<(double Runner, double Wolverine)> ColdStarts(ProductHost host, CommandRunner runner)
    {
        var work = Workload("cold", 2, 1);
        await work.SetUp(host.NewSender());
        var (first, second) = (work.Items[0], work.Items.First(i => i.Stream != work.Items[0].Stream));
        var clock = Stopwatch.StartNew();
        CommandWorkload.Expect(await runner.Send(first.Command, new CommandContext(first.Actor, "cold-1"), default), first.Command);
        var r = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        CommandWorkload.Expect(await SendSpike(host.Services.GetRequiredService<IMessageBus>(), second, "cold-2"), second.Command);
        return (r, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>The spike decides as the product does: a refusal appends nothing, a replay answers from the receipt.</summary>
    private static async Task Checks(BenchContext ctx, ProductHost host)
    {
        var bus = host.Services.GetRequiredService<IMessageBus>();
        var work = Workload("check", 2, 2);
        await work.SetUp(host.NewSender());
        var item = work.Items[0];
        var first = await SendSpike(bus, item, "check-1");
        var replay = await SendSpike(bus, item, "check-1");
        var elsewhere = ((RecordEvidence)item.Command) with { CycleId = "no-such-cycle" };
        var unknown = await SendSpike(bus, item with { Command = elsewhere }, "check-2");
        await using var query = host.Store.QuerySession();
        var stream = await query.Events.FetchStreamStateAsync(item.Stream);
        var ok = first.IsAccepted && replay is { Replayed: true } && replay.EventIds.SequenceEqual(first.EventIds)
            && unknown.Rule == "cycle-not-found" && stream?.Version == first.Version;
        ctx.Say($"spike checks {(ok ? "passed" : "FAILED")}: first {first.Outcome} v{first.Version}, replay {replay.Outcome} "
            + $"replayed={replay.Replayed}, unknown cycle {unknown.Outcome} {unknown.Rule}, stream version {stream?.Version}");
        if (!ok) throw new InvalidOperationException("The spike's handler does not decide as the runner does.");
    }

    /// <summary>
    /// Idempotency under concurrency: eight copies of one command (same sender, same command id) at once, on a fresh cell and
    /// on one with events. The runner answers every copy as the winner did; what does the workflow answer?
    /// </summary>
    private static async Task Races(BenchContext ctx, ProductHost host, CommandRunner runner)
    {
        const int copies = 8;
        var work = Workload("race", 4, 4);
        await work.SetUp(host.NewSender());
        var cells = work.Items.Where(i => i.Command is RecordEvidence).GroupBy(i => i.Stream).Take(2)
            .Select(g => g.Take(2).ToList()).ToList();
        var buses = Buses(host, copies);
        foreach (var (label, send, cell) in new (string, Func<int, WorkItem, string, Task<CommandResult>>, List<WorkItem>)[]
                 {
                     ("runner", (_, i, id) => runner.Send(i.Command, new CommandContext(i.Actor, id), default), cells[0]),
                     ("aggregate handler", (lane, i, id) => SendSpike(buses[lane], i, id), cells[1]),
                 })
            for (var n = 0; n < cell.Count; n++)
            {
                var item = cell[n];
                var id = $"race-{label}-{n}";
                var answers = await Task.WhenAll(Enumerable.Range(0, copies).Select(lane => Task.Run(async () =>
                {
                    try
                    {
                        var r = await send(lane, item, id);
                        return r.Replayed ? "replayed" : $"{r.Outcome}{(r.Rule is null ? "" : " " + r.Rule)}";
                    }
                    catch (Exception e)
                    {
                        return e.GetType().Name;
                    }
                })));
                await using var query = host.Store.QuerySession();
                var version = (await query.Events.FetchStreamStateAsync(item.Stream))?.Version;
                ctx.Say($"{copies} concurrent copies of one command id, {label}, {(n == 0 ? "fresh cell" : "cell with events")}: "
                    + string.Join(", ", answers.GroupBy(a => a).Select(g => $"{g.Count()} {g.Key}"))
                    + $"; stream version after: {version}");
            }
    }

    private static async Task<List<(string, IReadOnlyList<string>)>> Profiles(ProductHost host, CommandRunner runner)
    {
        var work = Workload("profile", 4, 3);
        await work.SetUp(host.NewSender());
        var evidence = work.Items.Where(i => i.Command is RecordEvidence).ToList();
        var bus = host.Services.GetRequiredService<IMessageBus>();
        var list = new List<(string, IReadOnlyList<string>)>();
        var cells = evidence.GroupBy(i => i.Stream).Take(2).Select(g => g.Take(2).ToList()).ToList();
        foreach (var (label, send, cell) in new (string, Func<WorkItem, string, Task<CommandResult>>, List<WorkItem>)[]
                 {
                     ("runner", (i, id) => runner.Send(i.Command, new CommandContext(i.Actor, id), default), cells[0]),
                     ("aggregate handler", (i, id) => SendSpike(bus, i, id), cells[1]),
                 })
            for (var n = 0; n < cell.Count; n++)
            {
                var i = cell[n];
                list.Add(($"{label} RecordEvidence{(n == 0 ? " (first on its cell)" : "")}",
                    await Probe.Capture(async () => CommandWorkload.Expect(await send(i, $"profile-{label}-{n}"), i.Command))));
            }
        return list;
    }

    /// <summary>Wolverine's generated handler for the spike's message (which loads share the batch), written to a file.</summary>
    private static string GeneratedSource(ProductHost host)
    {
        const System.Reflection.BindingFlags hidden = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic;
        var options = host.Services.GetRequiredService<Wolverine.Runtime.IWolverineRuntime>().Options;
        var graph = options.GetType().GetProperty("HandlerGraph", hidden)?.GetValue(options) as Wolverine.Runtime.Handlers.HandlerGraph;
        var chain = graph?.ChainFor<SpikeRecordEvidence>();
        var source = chain?.GetType().GetProperty("SourceCode", hidden)?.GetValue(chain) as string;
        if (source is null) return "not available";
        var path = Path.Combine(Path.GetTempPath(), "spike-aggregate-handler.cs");
        File.WriteAllText(path, source);
        return path;
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }
}
