using ComplianceEvents.Benchmarks.Data;
using ComplianceEvents.Benchmarks.Hosting;
using ComplianceEvents.Benchmarks.Measuring;
using ComplianceEvents.Benchmarks.Output;
using ComplianceEvents.Benchmarks.Raw;
using ComplianceEvents.Infrastructure;
using Wolverine;

namespace ComplianceEvents.Benchmarks.Figures;

/// <summary>A measured series: its runs, and what explains the median run.</summary>
public sealed record Series(Summary Summary, Cost Explain, long Events);

/// <summary>
/// B1a and B1b: the full command path (bus, validation, handler, state load, Marten append, inline
/// projections, commit) against the same work by hand and against a bare INSERT, in the same run, each
/// run on fresh cells, interleaved (product, raw transaction, bare insert) so drift hits all three alike.
/// </summary>
public static class WriteFigures
{
    public static readonly int[] Concurrencies = [1, 16];

    /// <summary>
    /// Runs B1a and B1b, and B1c when <paramref name="withoutOutbound"/> is given: the product host configured with no
    /// outbound queue (Integration:Outbound:Queues empty), run in the same loop so all four series share each run's minutes.
    /// </summary>
    public static async Task<Dictionary<int, Series>> Run(BenchContext ctx, ProductHost host, RawStore raw, ProductHost? withoutOutbound)
    {
        var productByC = new Dictionary<int, Series>();
        var seed = 100;
        foreach (var c in Concurrencies)
        {
            var buses = Enumerable.Range(0, c).Select(_ => host.NewSender()).ToArray();
            var otherBuses = withoutOutbound is null ? [] : Enumerable.Range(0, c).Select(_ => withoutOutbound.NewSender()).ToArray();
            var product = new List<(RunResult Run, Cost Explain, long Events)>();
            var noOutbound = new List<(RunResult Run, Cost Explain, long Events)>();
            var manual = new List<(RunResult Run, Cost Explain, long Events)>();
            var bare = new List<(RunResult Run, Cost Explain, long Events)>();
            for (var run = 0; run <= ctx.Sizes.Runs; run++)
            {
                var warmUp = run == 0;
                var size = warmUp ? ctx.Sizes.WarmUpCommands : ctx.Sizes.CommandsPerRun;
                var label = warmUp ? "warm-up" : $"run {run}";
                var p = await Product(ctx, host, buses, CommandWorkload.Build($"w{c}p{run}", size, ctx.Sizes.EvidencePerCell, seed++), c);
                var q = withoutOutbound is null ? default
                    : await Product(ctx, withoutOutbound, otherBuses, CommandWorkload.Build($"w{c}q{run}", size, ctx.Sizes.EvidencePerCell, seed++), c);
                var m = await Manual(ctx, raw, CommandWorkload.Build($"w{c}m{run}", size, ctx.Sizes.EvidencePerCell, seed++), c);
                var b = await Bare(ctx, raw, CommandWorkload.Build($"w{c}b{run}", size, ctx.Sizes.EvidencePerCell, seed++), c);
                ctx.Say($"B1 c{c} {label}: product {p.Run.Throughput:0}/s"
                    + (withoutOutbound is null ? "" : $", product without outbound queue {q.Run.Throughput:0}/s")
                    + $", by hand {m.Run.Throughput:0}/s, bare insert {b.Run.Throughput:0}/s");
                if (warmUp) continue;
                product.Add(p);
                if (withoutOutbound is not null) noOutbound.Add(q);
                manual.Add(m);
                bare.Add(b);
            }
            var ps = Combine(product);
            var ms = Combine(manual);
            var bs = Combine(bare);
            productByC[c] = ps;
            var workload = $"{ctx.Sizes.CommandsPerRun} commands per run ({ctx.Sizes.EvidencePerCell} evidence, 1 proposal, 1 approval per cell) "
                + "through IMessageBus.InvokeAsync, the run ending when Wolverine has sent and handled every message the commands published";
            ctx.Add(Describe(Figure.Compare("B1a", c, "commands/s", ps.Summary.Throughput, ms.Summary.Throughput,
                Target.AtLeast(0.50, 0.70)), ps, ms, explicitCommitsInBaseline: false) with
            {
                Workload = workload,
                BaselineWorkload = "the same commands by hand: read the state document, decide and fold with the product's pure functions, "
                    + "one pipelined batch BEGIN; stream version; events; document upsert; COMMIT",
            });
            ctx.Add(Describe(Figure.Compare("B1b", c, "commands/s", ps.Summary.Throughput, bs.Summary.Throughput,
                c == 1 ? Target.AtLeast(0.30, 0.45) : Target.AtLeast(0.20, 0.30)), ps, bs, explicitCommitsInBaseline: false) with
            {
                Workload = "the B1a command path",
                BaselineWorkload = "one autocommit INSERT per command of the same event payload into an mt_events-shaped table",
            });
            if (withoutOutbound is null) continue;
            var qs = Combine(noOutbound);
            var (queued, queuedWithout) = (await host.QueuedMessages(), await withoutOutbound.QueuedMessages());
            ctx.Add(Describe(Figure.Compare("B1c", c, "commands/s", ps.Summary.Throughput, qs.Summary.Throughput,
                Target.AtLeast(0.75, 0.90)), ps, qs, explicitCommitsInBaseline: true) with
            {
                Workload = "the B1a command path as the product ships it: each command appends in one transaction, and the host's daemon "
                    + "publishes the integration events (EvidenceRecordedV1, ScoreProposedV1, ScoreApprovedV1) from the log, a page at a "
                    + "time, to the outbound PostgreSQL queue (IntegrationPublisher), competing for the same database",
                BaselineWorkload = "the same commands in a second product host configured with no outbound queue (Integration:Outbound:Queues "
                    + "empty), same run",
                Notes = "the baseline's daemon still reads the log and moves its position per page (no message to send, no webhook "
                    + "subscription), so the ratio is the cost of the outbound queue messages, sent in the background. "
                    + $"Messages in the outbound queue tables so far: {queued} in the product's database, {queuedWithout} in the baseline's",
            });
        }
        await Profile(ctx, host, raw);
        return productByC;
    }

    private static string Label(WorkItem item, CommandWorkload work) =>
        item.Command.GetType().Name + (ReferenceEquals(item, work.Items.First(i => i.Stream == item.Stream)) ? " (first on its cell)" : "");

    /// <summary>Every round trip of one command of each kind on a fresh cell, the product's and the by-hand one (Wolverine's tail included).</summary>
    private static async Task Profile(BenchContext ctx, ProductHost host, RawStore raw)
    {
        var work = CommandWorkload.Build("profile", 4, 2, 999);
        var bus = host.NewSender();
        await work.SetUp(bus);
        await host.Drain(TimeSpan.FromMinutes(1));
        foreach (var item in work.Items.Take(4))
        {
            var statements = await Probe.Capture(async () =>
            {
                CommandWorkload.Expect(await bus.Send(item.Command, item.Actor), item.Command);
                await host.Drain(TimeSpan.FromMinutes(1));
            });
            ctx.Profiles[$"product: {Label(item, work)}"] = statements.Where(s => !s.Contains("wolverine_outgoing_envelopes), 0)", StringComparison.Ordinal)).ToList();
        }
        var manual = CommandWorkload.Build("profile-raw", 2, 2, 998);
        foreach (var item in manual.Items.Take(2))
            ctx.Profiles[$"by hand: {Label(item, manual)}"] =
                await Probe.Capture(() => raw.Command(item.Stream, item.Actor.UserId, item.Command.GetType().Name, manual.Now, state => manual.Decide(item, state)));
    }

    public static Series Combine(List<(RunResult Run, Cost Explain, long Events)> runs)
    {
        var summary = Summary.Of(runs.Select(r => r.Run).ToList());
        var median = runs.OrderBy(r => r.Run.Throughput).ElementAt(runs.Count / 2);
        return new Series(summary, median.Explain, median.Events);
    }

    public static Figure Describe(Figure f, Series value, Series baseline, bool explicitCommitsInBaseline) => f with
    {
        P50Ms = value.Summary.P50Ms, P99Ms = value.Summary.P99Ms,
        BaselineP50Ms = baseline.Summary.P50Ms, BaselineP99Ms = baseline.Summary.P99Ms,
        Runs = value.Summary.Runs, OperationsPerRun = value.Summary.OperationsPerRun,
        Explain = value.Explain, BaselineExplain = baseline.Explain,
        RoundTripsPerOp = value.Explain.RoundTripsPerOp(explicitCommits: true),
        BaselineRoundTripsPerOp = baseline.Explain.RoundTripsPerOp(explicitCommitsInBaseline),
    };

    /// <summary>The product: every command through the bus, each lane its own bus, lanes own disjoint cells.</summary>
    public static async Task<(RunResult Run, Cost Explain, long Events)> Product(BenchContext ctx, ProductHost host, CommandSender[] buses,
        CommandWorkload work, int concurrency)
    {
        await work.SetUp(buses[0]);
        await host.Drain(TimeSpan.FromMinutes(2));
        long events = 0;
        var before = await ctx.Probe.Read();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = await Runner.Lanes(Runner.Split(work.Items, concurrency, i => i.Stream), async (lane, item) =>
        {
            var result = CommandWorkload.Expect(await buses[lane].Send(item.Command, item.Actor), item.Command);
            Interlocked.Add(ref events, result.EventIds.Count);
        });
        await host.Drain(TimeSpan.FromMinutes(2));
        return (run with { Elapsed = clock.Elapsed }, await ctx.Probe.Explain(before, run.Operations, events), events);
    }

    private static async Task<(RunResult Run, Cost Explain, long Events)> Manual(BenchContext ctx, RawStore raw, CommandWorkload work, int concurrency)
    {
        long events = 0;
        var before = await ctx.Probe.Read();
        var run = await Runner.Lanes(Runner.Split(work.Items, concurrency, i => i.Stream), async (_, item) =>
        {
            var n = await raw.Command(item.Stream, item.Actor.UserId, item.Command.GetType().Name, work.Now, state => work.Decide(item, state));
            Interlocked.Add(ref events, n);
        });
        return (run, await ctx.Probe.Explain(before, run.Operations, events), events);
    }

    private static async Task<(RunResult Run, Cost Explain, long Events)> Bare(BenchContext ctx, RawStore raw, CommandWorkload work, int concurrency)
    {
        await raw.EnsureStreams(work.Items.Select(i => i.Stream));
        var before = await ctx.Probe.Read();
        var run = await Runner.Lanes(Runner.Split(work.Items, concurrency, i => i.Stream), (_, item) => raw.InsertOne(item.Events[^1]));
        return (run, await ctx.Probe.Explain(before, run.Operations, run.Operations), run.Operations);
    }
}
