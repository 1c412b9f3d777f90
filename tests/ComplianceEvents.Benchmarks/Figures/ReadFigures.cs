using System.Diagnostics;
using ComplianceEvents.Assessments;
using ComplianceEvents.Benchmarks.Data;
using ComplianceEvents.Benchmarks.Hosting;
using ComplianceEvents.Benchmarks.Measuring;
using ComplianceEvents.Benchmarks.Output;
using ComplianceEvents.Benchmarks.Raw;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Reports;
using ComplianceEvents.Reports.AsOf;
using ComplianceEvents.Reports.Auditing;
using ComplianceEvents.Reports.GettingScores;
using ComplianceEvents.Reports.Rendering;
using Marten;
using Npgsql;
using static ComplianceEvents.Benchmarks.Raw.Sql;

namespace ComplianceEvents.Benchmarks.Figures;

/// <summary>
/// The read side over a large log: B3 (rebuild every projection), B2 (the interim report of a large cycle as of
/// a pinned sequence) with its context rows, B5 (time travel on one assessment), then B2g after the log grows.
/// </summary>
public static class ReadFigures
{
    public const string Large = "large";
    public const string Small = "other-0";
    public const string TimeTravel = "timetravel";
    private const int OtherEvidencePerCell = 20;

    private static (int Cycles, int EventsPerCycle) OtherCycles(int events)
    {
        var perCycle = CycleHistoryGenerator.Cycle(new CycleHistoryGenerator.Spec("probe", OtherEvidencePerCell), 1).Count;
        return (Math.Max(1, (int)Math.Round((double)events / perCycle)), perCycle);
    }

    public static async Task Run(BenchContext ctx, ProductHost host, RawStore raw)
    {
        var store = host.Store;
        var sizes = ctx.Sizes;
        var (others, perCycle) = OtherCycles(sizes.OtherCycleEvents);

        ctx.Say($"read side: generating the large cycle ({sizes.LargeCycleEvidencePerCell} evidence per cell) among {others} other " +
            $"cycles of ~{perCycle} events");
        var specs = new List<CycleHistoryGenerator.Spec> { new(Large, sizes.LargeCycleEvidencePerCell) };
        specs.AddRange(Enumerable.Range(0, others).Select(k => new CycleHistoryGenerator.Spec($"other-{k}", OtherEvidencePerCell)));
        var events = CycleHistoryGenerator.Generate(specs, seed: 50_000);
        events.AddRange(CycleHistoryGenerator.LongStreams(TimeTravel, [("CA", sizes.LongStream), ("FR", sizes.ShortStream)], seed: 60_000));
        var clock = Stopwatch.StartNew();
        var generated = clock.Elapsed;
        await BulkLoader.Load(store, host.ConnectionString, events);
        ctx.Say($"read side: {events.Count} events generated in {generated.TotalSeconds:0.0} s, bulk-loaded in " +
            $"{(clock.Elapsed - generated).TotalSeconds:0.0} s");
        events.Clear();

        await Rebuild(ctx, host, raw);

        var pinned = await Scalar<long>(raw.Db, "select max(seq_id) from compliance.mt_events where timestamp <= " +
            "$1", CycleHistoryGenerator.InterimPinAt);
        var total = await Scalar<long>(raw.Db, "select count(*) from compliance.mt_events");
        var largeEvents = await CycleEvents(raw, Large, pinned);
        ctx.Say($"read side: {total} events in the log; the large cycle has {largeEvents} events up to the pinned sequence {pinned}");

        var b2 = await Report(ctx, store, raw, Large, pinned);
        // Issue 20: <= 2x raw and under 1 s (moonshot 1.5x); issue 8 had asked for 3x (2x).
        var b2Figure = Figure.Compare("B2", 1, "ms/report", b2.Product.Summary.MedianRunMs, b2.Raw.Summary.MedianRunMs,
            Target.AtMost(2, 1.5));
        var underASecond = b2.Product.Summary.MedianRunMs < 1000;
        var phases = await Phases(store, Large, pinned);
        b2Figure = b2Figure with { Must = b2Figure.Must + ", and under 1 s", Met = b2Figure.Met == true && underASecond };
        ctx.Add(WriteFigures.Describe(b2Figure,
            b2.Product, b2.Raw, explicitCommitsInBaseline: false) with
        {
            RoundTripsPerOp = b2.Product.Explain.NpgsqlCommandsPerOp,
            Workload = $"Reporting.AsOf(interim, sequence {pinned}) + MarkdownRenderer.Render for cycle '{Large}' (20 commitments x 8 " +
                $"members x "
                + $"{sizes.LargeCycleEvidencePerCell} evidence, summaries shortened to keep each cell within its " +
                $"{Assessment.MaxEvidenceCharacters:N0}-character text budget; {largeEvents} events up to the pin) among {total} events",
            BaselineWorkload = "hand-written SQL reading the same events (cycle, commitment and assessment streams up to the pin, in " +
                "sequence order) to the client, deserialized",
            Notes = $"under 1 s: {(underASecond ? "yes" : "no")}; {phases}",
        });
        await ContextRows(ctx, store, raw, pinned, b2);
        await TimeTravelFigures(ctx, store, raw);

        var growth = (sizes.GrowthFactor - 1) * sizes.OtherCycleEvents;
        var (moreCycles, _) = OtherCycles(growth);
        ctx.Say($"read side: growing the log by {moreCycles} copies of cycle '{Small}' (~{growth} events)");
        clock.Restart();
        await GrowthLoader.Clone(host.ConnectionString, Small, moreCycles, "more");
        var grown = await Scalar<long>(raw.Db, "select count(*) from compliance.mt_events");
        ctx.Say($"read side: {grown} events after {clock.Elapsed.TotalSeconds:0} s; analyzing");
        await Execute(raw.Db, "analyze compliance.mt_events");
        var b2g = await Report(ctx, store, raw, Large, pinned);
        ctx.Add(Figure.Compare("B2g", 1, "ms/report", b2g.Product.Summary.MedianRunMs, b2.Product.Summary.MedianRunMs, Target.AtMost(1.5,
            1.2, "x B2")) with
        {
            P50Ms = b2g.Product.Summary.P50Ms, P99Ms = b2g.Product.Summary.P99Ms, BaselineP50Ms = b2.Product.Summary.P50Ms,
                BaselineP99Ms = b2.Product.Summary.P99Ms,
            Runs = b2g.Product.Summary.Runs, OperationsPerRun = b2g.Product.Summary.OperationsPerRun,
            Explain = b2g.Product.Explain, BaselineExplain = b2.Product.Explain,
            Workload = $"B2 after the log grew from {total} to {grown} events (other cycles only: copies of '{Small}' written with COPY, " +
                $"see GrowthLoader)",
            BaselineWorkload = "B2 at 1x, same run",
            Notes = $"raw read at {grown} events: {b2g.Raw.Summary.MedianRunMs:0.0} ms (at 1x: {b2.Raw.Summary.MedianRunMs:0.0} ms)",
        });
    }

    /// <summary>
    /// B3: the product's own rebuild (its projections as Persistence.Configure registers them), time-boxed because with
    /// Marten's defaults every growing snapshot is rewritten once per 500-event page it appears in; then the same
    /// rebuild with the settings the bench tries (<see cref="BulkLoader.TunedRebuilds"/>), which also leaves the
    /// documents complete for the read figures.
    /// </summary>
    private static async Task Rebuild(BenchContext ctx, ProductHost host, RawStore raw)
    {
        var store = host.Store;
        var projections = BulkLoader.ProductProjections(store);
        var total = await Scalar<long>(raw.Db, "select count(*) from compliance.mt_events");
        var replays = new List<(RunResult Run, Cost Explain, long Events)>();
        for (var run = 1; run <= ctx.Sizes.Runs; run++)
        {
            var before = await ctx.Probe.Read();
            var clock = Stopwatch.StartNew();
            var read = await raw.ReadEvents("select type, data from compliance.mt_events order by seq_id");
            replays.Add((new RunResult(1, clock.Elapsed, [clock.Elapsed.TotalMilliseconds]), await ctx.Probe.Explain(before, 1, read),
                read));
            ctx.Say($"B3 raw replay {run}: {clock.Elapsed.TotalSeconds:0.0} s ({read / clock.Elapsed.TotalSeconds:0} events/s)");
        }
        var p = WriteFigures.Combine(replays);
        var replayRate = total / p.Summary.MedianRunMs * 1000;

        var rebuilds = new List<(RunResult Run, Cost Explain, long Events)>();
        string? incomplete = null;
        double? upperBound = null;
        for (var run = 1; run <= ctx.Sizes.Runs && incomplete is null; run++)
        {
            var before = await ctx.Probe.Read();
            var clock = Stopwatch.StartNew();
            var done = new List<(string Name, TimeSpan Took)>();
            try
            {
                await BulkLoader.Rebuild(store, projections, TimeSpan.FromSeconds(ctx.Sizes.RebuildTimeBoxSeconds), (name, took)
                    => done.Add((name, took)));
                rebuilds.Add((new RunResult(1, clock.Elapsed, [clock.Elapsed.TotalMilliseconds]), await ctx.Probe.Explain(before, 1,
                    total), total));
                ctx.Say($"B3 rebuild {run}: {clock.Elapsed.TotalSeconds:0.0} s ({total / clock.Elapsed.TotalSeconds:0} events/s): "
                    + string.Join(", ", done.Select(x => $"{x.Name} {x.Took.TotalSeconds:0.0} s")));
            }
            catch (TimeoutException)
            {
                var elapsed = clock.Elapsed;
                var progress = await Scalar<long>(raw.Db, "select coalesce(max(last_seq_id), 0) from compliance.mt_event_progression " +
                    "where name like 'Assessment:%'");
                var processed = await Scalar<long>(raw.Db, "select count(*) from compliance.mt_events where seq_id <= $1", progress);
                var others = done.Sum(x => x.Took.TotalSeconds);
                var assessmentRate = processed / Math.Max(0.001, elapsed.TotalSeconds - others);
                upperBound = total / (others + total / Math.Max(1, assessmentRate));
                incomplete = $"the product's rebuild did not finish within the {ctx.Sizes.RebuildTimeBoxSeconds} s time box: "
                    + string.Join(", ", done.Select(x => $"{x.Name} took {x.Took.TotalSeconds:0.0} s")) + $", then Assessment had reached "
                    + $"{processed} of {total} events ({assessmentRate:0} events/s, slowing as its snapshots grow) when it was stopped; " +
                        $"the value is the "
                    + "rate the whole rebuild would have at best (an upper bound), so it can only be lower";
                rebuilds.Add((new RunResult(1, elapsed, [elapsed.TotalMilliseconds]), await ctx.Probe.Explain(before, 1, processed),
                    processed));
                ctx.Say($"B3 rebuild {run}: stopped after {elapsed.TotalSeconds:0} s; " + incomplete);
            }
        }
        var r = WriteFigures.Combine(rebuilds);
        var rebuildRate = upperBound ?? total / r.Summary.MedianRunMs * 1000;
        var figure = Figure.Compare("B3", 1, "events/s", rebuildRate, replayRate, Target.AtLeast(0.10, 0.25));
        ctx.Add(figure with
        {
            Met = incomplete is null || figure.Met == false ? figure.Met : null,
            Runs = r.Summary.Runs, P50Ms = r.Summary.P50Ms, BaselineP50Ms = p.Summary.P50Ms, Explain = r.Explain,
                BaselineExplain = p.Explain,
            Workload = $"the async daemon's RebuildProjectionAsync of every product projection ({string.Join(", ", projections)}), one " +
                $"after another, "
                + $"over {total} events, with the product's projection settings (Persistence.Configure: pages of 5,000 events, snapshots " +
                    $"flushed per 100,000 changed aggregates)",
            BaselineWorkload = "one pass over the whole event table in sequence order, every event read and deserialized",
            Notes = incomplete ?? $"median rebuild {r.Summary.MedianRunMs / 1000:0.0} s, raw replay {p.Summary.MedianRunMs / 1000:0.0} " +
                $"s; per-op figures are per whole rebuild",
        });

        await using var tuned = await ProductHost.Start(host.ConnectionString, BulkLoader.TunedRebuilds);
        var tunedBefore = await ctx.Probe.Read();
        var tunedClock = Stopwatch.StartNew();
        var parts = await BulkLoader.Rebuild(tuned.Store, projections);
        var tunedTime = tunedClock.Elapsed;
        var tunedCost = await ctx.Probe.Explain(tunedBefore, 1, total);
        ctx.Say($"B3 with tuned rebuild settings: {tunedTime.TotalSeconds:0.0} s: " + string.Join(", " +
            "", parts.Select(x => $"{x.Projection} {x.Took.TotalSeconds:0.0} s")));
        ctx.Facts["largest-snapshot-kb"] = await Scalar<long>(raw.Db, "select coalesce(max(octet_length(data::text)), 0)::bigint from " +
            "compliance.mt_doc_assessment") / 1024.0;
        ctx.Facts["large-snapshot-kb"] = await Scalar<double>(raw.Db,
            "select coalesce(avg(octet_length(data::text)), 0)::float8 from compliance.mt_doc_assessment where id like " +
                "$1", $"assessment:{Large}:%") / 1024.0;
        ctx.Facts["assessment-docs-mb"] = await Scalar<double>(raw.Db,
            "select coalesce(sum(octet_length(data::text)), 0)::float8 from compliance.mt_doc_assessment") / 1048576.0;
        ctx.Facts["events-per-large-stream"] = await Scalar<double>(raw.Db,
            "select coalesce(avg(version), 0)::float8 from compliance.mt_streams where id like $1", $"assessment:{Large}:%");
        ctx.Add(new Figure
        {
            Id = "B3-tuned", Concurrency = 1, Unit = "events/s", Value = total / tunedTime.TotalSeconds, Baseline = replayRate,
            Ratio = total / tunedTime.TotalSeconds / replayRate, Status = "experiment", Explain = tunedCost, BaselineExplain = p.Explain,
            Workload = "B3 with a larger flush window tried (bench-side configuration of the product's projections: " +
                "AsyncOptions.BatchSize = 5,000, "
                + "RebuildFlushThreshold = 1,000,000, i.e. each snapshot written once at the end whatever the store's size; the product " +
                    "bounds the window at 100,000), one run",
            BaselineWorkload = "the B3 raw replay",
            Notes = string.Join(", ", parts.Select(x => $"{x.Projection} {x.Took.TotalSeconds:0.0} s")),
        });
    }

    public sealed record ReadPair(Series Product, Series Raw);

    private static async Task<ReadPair> Report(BenchContext ctx, IDocumentStore store, RawStore raw, string cycleId, long pinned) =>
        new(await Timed(ctx, ctx.Sizes.ReportRepeats, () => ProductReport(store, cycleId, pinned)),
            await Timed(ctx, ctx.Sizes.ReportRepeats, () => RawReport(raw, cycleId, pinned)));

    private static async Task<int> ProductReport(IDocumentStore store, string cycleId, long pinned)
    {
        await using var session = store.QuerySession();
        var model = await Reporting.AsOf(session, cycleId, ReportKind.Interim, new AsOfPoint(pinned))
            ?? throw new InvalidOperationException($"No report for {cycleId}.");
        return MarkdownRenderer.Render(model).Length;
    }

    /// <summary>Where one as-of report's time goes (B2's profile): the call with the median total of three, split at its phases.</summary>
    private static async Task<string> Phases(IDocumentStore store, string cycleId, long pinned)
    {
        var calls = new List<double[]>();
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            await using var session = store.QuerySession();
            var events = await CycleHistory.Load(session, cycleId, new AsOfPoint(pinned));
            var loaded = clock.Elapsed.TotalMilliseconds;
            var state = CycleHistory.Fold(events);
            var folded = clock.Elapsed.TotalMilliseconds;
            var model = ReportBuilder.Build(state, ReportKind.Interim);
            var built = clock.Elapsed.TotalMilliseconds;
            MarkdownRenderer.Render(model);
            calls.Add([loaded, folded - loaded, built - folded, clock.Elapsed.TotalMilliseconds - built]);
        }
        var m = calls.OrderBy(c => c.Sum()).ElementAt(1);
        return $"one call split (the median of 3): reading the events with Marten {m[0]:0} ms, folding {m[1]:0} ms, building the " +
            $"model {m[2]:0} ms, rendering the Markdown {m[3]:0} ms";
    }

    private const string CycleEventsSql = """
        select type, data from compliance.mt_events
        where (stream_id = $1 or stream_id like $2 or stream_id like $3) and seq_id <= $4 order by seq_id
        """;

    private static Task<int> RawReport(RawStore raw, string cycleId, long pinned) =>
        raw.ReadEvents(CycleEventsSql, $"cycle:{cycleId}", $"commitment:{cycleId}:%", $"assessment:{cycleId}:%", pinned);

    private static async Task<long> CycleEvents(RawStore raw, string cycleId, long pinned) =>
        await Scalar<long>(raw.Db, "select count(*) from compliance.mt_events where (stream_id = $1 or stream_id like $2 or stream_id " +
            "like $3) and seq_id <= $4",
            $"cycle:{cycleId}", $"commitment:{cycleId}:%", $"assessment:{cycleId}:%", pinned);

    /// <summary>Runs of repeated single operations: a warm-up call, then <see cref="Sizes.Runs"/> runs of <paramref name="repeat"/> calls.</summary>
    private static async Task<Series> Timed(BenchContext ctx, int repeat, Func<Task<int>> operation)
    {
        await operation();
        var runs = new List<(RunResult Run, Cost Explain, long Events)>();
        for (var i = 0; i < ctx.Sizes.Runs; i++)
        {
            var before = await ctx.Probe.Read();
            var run = await Runner.Repeat(repeat, () => operation(), warmUp: false);
            runs.Add((run, await ctx.Probe.Explain(before, repeat, 0), 0));
        }
        return WriteFigures.Combine(runs);
    }

    /// <summary>No target: the report from the current projection, and how the as-of report and the audit grow with a cycle's size.</summary>
    private static async Task ContextRows(BenchContext ctx, IDocumentStore store, RawStore raw, long pinned, ReadPair b2)
    {
        var fromProjection = await Timed(ctx, ctx.Sizes.ReportRepeats, async () =>
        {
            var state = await CycleHistory.Now(store, Large);
            return MarkdownRenderer.Render(ReportBuilder.Build(state, ReportKind.Interim)).Length;
        });
        ctx.Add(Context("B2-projection", fromProjection, b2.Product, "ms/report",
            "the interim report of the large cycle built from the current inline snapshots (Cycle, Commitment, Assessment and " +
                "EvidenceText documents, one batched query) and rendered",
            "B2 (as of the pinned sequence, from events)"));

        // Table B (`scores`) as the product reads it (CellScore documents, one per cell, each written by one stream:
        // ADR 0003), against the alternative of no stored document: the same table from the Assessment snapshots.
        var scores = await Timed(ctx, ctx.Sizes.ReportRepeats, async () =>
        {
            await using var session = store.QuerySession();
            return TableB.ToText((await TableB.Load(session, Large))!).Length;
        });
        var fromSnapshots = await Timed(ctx, ctx.Sizes.ReportRepeats, async () =>
        {
            var (cycle, commitments, assessments) = await Snapshots(store, Large);
            var cells = assessments.Select(a => new CellScore(a.Id, a.CycleId, a.CommitmentId, a.MemberCode, a.Approved?.Score,
                a.Approved?.RubricVersion));
            return TableB.ToText(TableB.Build(cycle!, commitments, cells)).Length;
        });
        ctx.Add(Context("scores-cellscore", scores, fromSnapshots, "ms/table",
            "Table B of the large cycle as `scores` and GET /scores read it: the cycle, its commitments and its 160 CellScore documents " +
                "in one batched query (ADR 0003)",
            "the alternative without a stored document: the same table from the cycle's Assessment snapshots (every evidence text " +
                "inside), one batched query"));

        var small = await Report(ctx, store, raw, Small, pinned);
        var smallEvents = await CycleEvents(raw, Small, pinned);
        ctx.Add(Context("B2-small", small.Product, small.Raw, "ms/report",
            $"B2 for a cycle with 10x fewer evidence items ('{Small}', {OtherEvidencePerCell} per cell, {smallEvents} events up to the " +
                $"pin)",
            "raw read of that cycle's events") with { Notes = $"B2 at full size: {b2.Product.Summary.MedianRunMs:0.0} ms" });

        foreach (var (id, cycleId) in new[] { ("audit-large", Large), ("audit-small", Small) })
        {
            var audit = await Timed(ctx, ctx.Sizes.ReportRepeats, async () =>
            {
                await using var session = store.QuerySession();
                var entries = await AuditTrail.Of(session, new CellStreams(cycleId, "1", "CA"), default);
                return AuditTrail.ToText(entries).Length;
            });
            var rawAudit = await Timed(ctx, ctx.Sizes.ReportRepeats, () => RawReport(raw, cycleId, long.MaxValue));
            ctx.Add(Context(id, audit, rawAudit, "ms/audit",
                $"the audit trail of one assessment (1/CA) of '{cycleId}' as the CLI builds it (its assessment and commitment " +
                    "streams by key)",
                "raw read of that cycle's events"));
        }
    }

    /// <summary>A cycle's current inline snapshots (Cycle, Commitment and Assessment documents) in one batched query.</summary>
    private static async Task<(Cycle? Cycle, IReadOnlyList<Commitment> Commitments,
        IReadOnlyList<Assessment> Assessments)> Snapshots(IDocumentStore store, string cycleId)
    {
        await using var session = store.QuerySession();
        var batch = session.CreateBatchQuery();
        var cycle = batch.Load<Cycle>(Cycle.StreamKey(cycleId));
        var commitments = batch.Query<Commitment>().Where(c => c.CycleId == cycleId).ToList();
        var assessments = batch.Query<Assessment>().Where(a => a.CycleId == cycleId).ToList();
        await batch.Execute();
        return (await cycle, await commitments, await assessments);
    }

    private static Figure Context(string id, Series value, Series baseline, string unit, string workload, string baselineWorkload) =>
        WriteFigures.Describe(new Figure
        {
            Id = id, Concurrency = 1, Unit = unit, Value = value.Summary.MedianRunMs, Baseline = baseline.Summary.MedianRunMs,
            Ratio = value.Summary.MedianRunMs / baseline.Summary.MedianRunMs, Status = "context", Workload = workload,
                BaselineWorkload = baselineWorkload,
        }, value, baseline, explicitCommitsInBaseline: false) with { RoundTripsPerOp = value.Explain.NpgsqlCommandsPerOp };

    private static async Task TimeTravelFigures(BenchContext ctx, IDocumentStore store, RawStore raw)
    {
        foreach (var member in new[] { "FR", "CA" })
        {
            var key = CycleHistoryGenerator.LongStreamKey(TimeTravel, member);
            var events = await Scalar<long>(raw.Db, "select count(*) from compliance.mt_events where stream_id = $1", key);
            var version = events / 2;
            var recorded = await Scalar<long>(raw.Db, "select count(*) from compliance.mt_events where stream_id = $1 and type = " +
                "'evidence_recorded'", key);
            var amended = await Scalar<long>(raw.Db, "select count(*) from compliance.mt_events where stream_id = $1 and type = " +
                "'evidence_amended'", key);
            var at = await Scalar<DateTimeOffset>(raw.Db, "select timestamp from compliance.mt_events where stream_id = $1 and version = " +
                "$2", key, version);
            var cases = new (string Variant, Func<Task<int>> Product, Func<Task<int>> Raw)[]
            {
                ($"{events} events, as of version {version}", async () =>
                {
                    await using var session = store.QuerySession();
                    return (await session.Events.AggregateStreamAsync<Assessment>(key, version: version))!.Evidence.Count;
                }, () => raw.ReadEvents("select type, data from compliance.mt_events where stream_id = $1 and version <= $2 order by " +
                    "version", key, version)),
                ($"{events} events, as of a time (half way)", async () =>
                {
                    await using var session = store.QuerySession();
                    return (await session.Events.AggregateStreamAsync<Assessment>(key, timestamp: at))!.Evidence.Count;
                }, () => raw.ReadEvents("select type, data from compliance.mt_events where stream_id = $1 and timestamp <= $2 order by " +
                    "version", key, at)),
            };
            foreach (var (variant, product, rawRead) in cases)
            {
                var p = await Timed(ctx, ctx.Sizes.TimeTravelRepeats, product);
                var r = await Timed(ctx, ctx.Sizes.TimeTravelRepeats, rawRead);
                ctx.Add(WriteFigures.Describe(Figure.Compare("B5", 1, "ms", p.Summary.MedianRunMs, r.Summary.MedianRunMs, Target.AtMost(2,
                    1.3)),
                    p, r, explicitCommitsInBaseline: false) with
                {
                    Variant = variant, RoundTripsPerOp = p.Explain.NpgsqlCommandsPerOp,
                    Workload = $"the Assessment aggregate of one stream ({key}: AssessmentOpened, {recorded} evidence items, " +
                        $"{amended} amendments of them in turn, a proposal and its approval, within a cell's caps) rebuilt by " +
                        $"Marten's live aggregation (AggregateStreamAsync) with the product's Create/Apply",
                    BaselineWorkload = "hand-written SQL reading the same rows, deserialized",
                });
            }
        }
    }

    private static async Task Execute(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.CommandTimeout = 600;
        await cmd.ExecuteNonQueryAsync();
    }
}
