using System.Diagnostics;
using ComplianceEvents.Assessments;
using ComplianceEvents.Benchmarks.Data;
using ComplianceEvents.Benchmarks.Hosting;
using ComplianceEvents.Benchmarks.Measuring;
using ComplianceEvents.Benchmarks.Output;
using ComplianceEvents.Benchmarks.Raw;
using ComplianceEvents.Imports;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace ComplianceEvents.Benchmarks.Figures;

/// <summary>
/// B1d: the product's import (DatasetImporter: a dataset file turned into commands, decided in memory, one commit) against a
/// binary COPY of the very rows it stored. B1e: the fastest load the product's store offers (Marten's bulk event
/// insert, then a rebuild of the product's projections) against the same COPY.
/// </summary>
public static class ImportFigures
{
    private sealed record Plan(int EvidencePerCell, int Cycles, int Commitments = Synthetic.CommitmentsPerCycle);

    /// <summary>Cycles of 20 commitments x 8 members, evidence per cell up to ImportEvidencePerCell; a small run uses fewer commitments.</summary>
    private static Plan PlanFor(Sizes sizes, bool warmUp, bool bulk = false)
    {
        if (warmUp) return new Plan(1, 1, 2);
        var evidence = bulk ? sizes.BulkEvidencePerRun : sizes.ImportEvidencePerRun;
        var cells = Synthetic.CommitmentsPerCycle * Synthetic.G7.Count;
        var perCell = Math.Clamp(evidence / cells, 1, sizes.ImportEvidencePerCell);
        var commitments = Math.Clamp(evidence / perCell / Synthetic.G7.Count, 1, Synthetic.CommitmentsPerCycle);
        return new Plan(perCell, Math.Max(1, evidence / (cells * perCell)), commitments);
    }

    private static List<CycleDataset> DatasetsFor(Plan plan, int run) =>
        Enumerable.Range(0, plan.Cycles).Select(k => Datasets.Build($"imp{run}-{k}", plan.EvidencePerCell, 7_000 + run * 100 + k, plan.Commitments)).ToList();

    public static async Task CommandPath(BenchContext ctx, ProductHost host, RawStore raw)
    {
        var import = new List<(RunResult Run, Cost Explain, long Events)>();
        var copy = new List<(RunResult Run, Cost Explain, long Events)>();
        var batchEventsPerTx = new List<double>();
        for (var run = 0; run <= ctx.Sizes.Runs; run++)
        {
            var datasets = DatasetsFor(PlanFor(ctx.Sizes, run == 0), run);
            var files = datasets.Select(Datasets.ToJson).ToList();
            var commands = 0;
            var before = await ctx.Probe.Read();
            var clock = Stopwatch.StartNew();
            foreach (var json in files)
            {
                await using var scope = host.Services.CreateAsyncScope();
                var report = await DatasetImporter.From(scope.ServiceProvider).Import(json);
                if (!report.Succeeded) throw new InvalidOperationException("Synthetic import refused:\n" + report.Summary());
                commands += report.Created;
            }
            clock.Stop();
            var rows = await raw.ReadStoredEvents(string.Join(" or ", datasets.SelectMany(d => Datasets.Streams(d.Cycle.Id)).Select((_, i) => $"stream_id like ${i + 1}")),
                [.. datasets.SelectMany(d => Datasets.Streams(d.Cycle.Id))]);
            var imported = (await ctx.Probe.Explain(before, commands, rows.Count), new RunResult(rows.Count, clock.Elapsed, []));
            var copied = await Copy(ctx, raw, rows);
            ctx.Say($"B1d {(run == 0 ? "warm-up" : $"run {run}")}: {datasets.Sum(Datasets.EvidenceCount)} evidence, {commands} commands, {rows.Count} events: "
                + $"import {rows.Count / clock.Elapsed.TotalSeconds:0} events/s, COPY {copied.Run.Throughput:0} events/s");
            if (run == 0) continue;
            import.Add((imported.Item2, imported.Item1, rows.Count));
            copy.Add(copied);
            batchEventsPerTx.Add(await AssessmentEventsPerTransaction(raw, datasets));
        }
        var i = WriteFigures.Combine(import);
        var c = WriteFigures.Combine(copy);
        var figure = Figure.Compare("B1d", 1, "events/s", i.Summary.Throughput, c.Summary.Throughput, Target.AtLeast(0.20, 0.30));
        var perTx = i.Explain.EventsPerTransaction;
        var perBatch = batchEventsPerTx.Min();
        ctx.Add(figure with
        {
            Must = ">= 20% of COPY, with >= 500 events per transaction (stretch >= 30%)",
            Met = figure.Met == true && perBatch >= 500,
            Runs = i.Summary.Runs, OperationsPerRun = i.Summary.OperationsPerRun,
            Explain = i.Explain, BaselineExplain = c.Explain,
            RoundTripsPerOp = i.Explain.RoundTripsPerOp(explicitCommits: true),
            Workload = $"DatasetImporter.Import of {PlanFor(ctx.Sizes, false).Cycles} cycle file(s) per run ({PlanFor(ctx.Sizes, false).Commitments} commitments x 8 members), "
                + $"{ctx.Sizes.ImportEvidencePerRun} evidence items ({PlanFor(ctx.Sizes, false).EvidencePerCell} per cell) with a proposal and an approval per cell and a rubric revision per commitment; "
                + "validation, receipts (command ids) and inline projections on",
            BaselineWorkload = "Npgsql binary COPY of the same stored rows (streams, then events) into mt_events-shaped tables",
            Notes = $"assessment events per transaction: {perBatch:0} (the fewest of the runs, counted by the transaction id that "
                + "inserted each event; a file is one transaction since ADR 0004); over all transactions of the import, including "
                + $"Wolverine's background polling: {perTx:0.##}; per-op figures are per command of the file",
        });
    }

    /// <summary>Events of the imported cycles' assessment streams per inserting transaction (xmin).</summary>
    private static async Task<double> AssessmentEventsPerTransaction(RawStore raw, IEnumerable<CycleDataset> datasets)
    {
        return await Sql.Scalar<double>(raw.Db,
            "select count(*)::float8 / greatest(count(distinct xmin::text), 1) from compliance.mt_events where stream_id like any($1)",
            // One text[] parameter: cast, or C# would spread the array over params object[].
            (object)datasets.Select(d => $"assessment:{d.Cycle.Id}:%").ToArray());
    }

    private static async Task<(RunResult Run, Cost Explain, long Events)> Copy(BenchContext ctx, RawStore raw, IReadOnlyList<CopiedEvent> rows)
    {
        await raw.Truncate("copy_events", "copy_streams");
        var before = await ctx.Probe.Read();
        var clock = Stopwatch.StartNew();
        await raw.Copy(rows);
        clock.Stop();
        return (new RunResult(rows.Count, clock.Elapsed, []), await ctx.Probe.Explain(before, rows.Count, rows.Count), rows.Count);
    }

    /// <summary>B1e: the product's <c>import --bulk</c> (DatasetImporter.Import with bulk): the steps decided in memory, the
    /// events loaded with Marten's bulk event insert and the read models written from the fold, all in the one call the CLI
    /// makes, so the figure is load plus projections.</summary>
    public static async Task BulkPath(BenchContext ctx, ProductHost host, RawStore raw)
    {
        var store = host.Store;
        var load = new List<(RunResult Run, Cost Explain, long Events)>();
        var whole = new List<(RunResult Run, Cost Explain, long Events)>();
        var copy = new List<(RunResult Run, Cost Explain, long Events)>();
        var split = new List<(double Whole, double Events, double ReadModels)>();
        // The product's own measure of its writes (BulkLoad.PhaseSeconds): the event insert apart from the read models.
        var phases = new Dictionary<string, double>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BulkLoad.MeterName && instrument.Name == BulkLoad.PhaseMetric)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            var phase = (string)tags[0].Value!;
            lock (phases) phases[phase] = phases.GetValueOrDefault(phase) + seconds;
        });
        listener.Start();
        for (var run = 0; run <= ctx.Sizes.Runs; run++)
        {
            await ComplianceEvents.Infrastructure.Chain.EventChain.ResetAllData(host.Services);
            var plan = PlanFor(ctx.Sizes, run == 0, bulk: true);
            var files = DatasetsFor(plan, run).Select(Datasets.ToJson).ToList();

            var before = await ctx.Probe.Read();
            lock (phases) phases.Clear();
            var clock = Stopwatch.StartNew();
            foreach (var json in files)
            {
                await using var scope = host.Services.CreateAsyncScope();
                var report = await DatasetImporter.From(scope.ServiceProvider).Import(json, bulk: true);
                if (!report.Succeeded) throw new InvalidOperationException("Synthetic bulk import refused:\n" + report.Summary());
            }
            var loaded = clock.Elapsed;
            var events = (int)await Sql.Scalar<long>(raw.Db, "select count(*) from compliance.mt_events");
            var explain = await ctx.Probe.Explain(before, events, events);
            await using (var session = store.QuerySession())
            {
                var cells = await session.Query<Assessment>().CountAsync();
                if (cells != plan.Cycles * plan.Commitments * Synthetic.G7.Count)
                    throw new InvalidOperationException($"B1e: the bulk import stored {cells} assessments.");
            }
            var rows = await raw.ReadStoredEvents("true");
            var copied = await Copy(ctx, raw, rows);
            double eventsSeconds, readModelSeconds;
            lock (phases) (eventsSeconds, readModelSeconds) = (phases.GetValueOrDefault("events"), phases.GetValueOrDefault("read-models"));
            ctx.Say($"B1e {(run == 0 ? "warm-up" : $"run {run}")}: {events} events: import --bulk "
                + $"{events / loaded.TotalSeconds:0} events/s ({loaded.TotalSeconds:0.00} s: event load {eventsSeconds:0.00} s, "
                + $"read models {readModelSeconds:0.00} s, the rest reading and deciding), COPY {copied.Run.Throughput:0} events/s");
            if (run == 0) continue;
            load.Add((new RunResult(events, TimeSpan.FromSeconds(eventsSeconds), []), explain, events));
            whole.Add((new RunResult(events, loaded, []), explain, events));
            split.Add((loaded.TotalSeconds, eventsSeconds, readModelSeconds));
            copy.Add(copied);
        }
        var l = WriteFigures.Combine(load);
        var w = WriteFigures.Combine(whole);
        var c = WriteFigures.Combine(copy);
        var cycles = PlanFor(ctx.Sizes, false, bulk: true).Cycles;
        ctx.Add(Figure.Compare("B1e", 1, "events/s", l.Summary.Throughput, c.Summary.Throughput, Target.AtLeast(0.60, 0.80)) with
        {
            Runs = l.Summary.Runs, OperationsPerRun = l.Summary.OperationsPerRun, BaselineExplain = c.Explain,
            Workload = $"the load of the product's import --bulk (DatasetImporter.Import, bulk) of datasets like B1d's, "
                + $"{ctx.Sizes.BulkEvidencePerRun} evidence items per run ({cycles} cycles): the time of its bulk event insert "
                + "(Marten's BulkInsertEventStreamAsync, one transaction per file) as the product measures it "
                + "(metric compliance.import.bulk.phase.duration, phase=events)",
            BaselineWorkload = "Npgsql binary COPY of the same stored rows into mt_events-shaped tables",
        });
        var m = split.OrderBy(x => x.Whole).ElementAt(split.Count / 2);
        ctx.Add(Figure.Compare("B1e-total", 1, "events/s", w.Summary.Throughput, c.Summary.Throughput, Target.AtLeast(0.30, 0.50)) with
        {
            Runs = w.Summary.Runs, OperationsPerRun = w.Summary.OperationsPerRun, Explain = w.Explain, BaselineExplain = c.Explain,
            Workload = "the whole import --bulk command of the same runs as B1e: the file read and checked against the input "
                + "contract, every step decided in memory by its slice, the event load, then the read models (receipts, snapshots, "
                + "scores, evidence texts) written from the fold with COPY (BulkInsertDocumentsAsync, one transaction)",
            BaselineWorkload = "the same COPY",
            Notes = $"the median run's {m.Whole:0.00} s: event load {m.Events:0.00} s, read models {m.ReadModels:0.00} s, reading the "
                + $"files, checking and deciding the steps {m.Whole - m.Events - m.ReadModels:0.00} s",
        });
    }
}
