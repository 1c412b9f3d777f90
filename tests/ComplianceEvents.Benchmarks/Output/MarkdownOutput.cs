using System.Globalization;
using System.Text;
using ComplianceEvents.Benchmarks.Measuring;

namespace ComplianceEvents.Benchmarks.Output;

/// <summary>docs/benchmarks.md: method, machine, settings, date, the figures with baseline, ratio, target and met/missed, and the analysis of each miss.</summary>
public static class MarkdownOutput
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(BenchResult r)
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmarks");
        md.AppendLine();
        md.AppendLine("Every hot path measured against raw PostgreSQL on the same cluster, in the same run (issue 8). This file and");
        md.AppendLine("`docs/benchmarks.json` are written by the bench program; do not edit them by hand, rerun it.");
        md.AppendLine();
        HowToRun(md);
        RunSection(md, r);
        FiguresSection(md, r);
        ExplanationSection(md, r);
        ContextSection(md, r);
        Analysis.Write(md, r);
        MethodSection(md);
        return md.ToString().Replace("\r\n", "\n");
    }

    private static void HowToRun(StringBuilder md)
    {
        md.AppendLine("## How to run");
        md.AppendLine();
        md.AppendLine("```bash");
        md.AppendLine("dotnet run -c Release --project tests/ComplianceEvents.Benchmarks");
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine("It starts its own throwaway PostgreSQL cluster (as the integration tests do; set `COMPLIANCE_BENCH_DB` to use an " +
            "existing");
        md.AppendLine("server instead), runs every figure, and rewrites `docs/benchmarks.md` and `docs/benchmarks.json`. `-- --quick` " +
            "runs about");
        md.AppendLine("1/100 of the data in well under two minutes and writes to a temp folder (`-- --out DIR` to choose); the test " +
            "suite runs it");
        md.AppendLine("(`QuickBenchTests`) to check that every figure is still produced, not how fast. Run the full bench on an " +
            "otherwise idle");
        md.AppendLine("machine: it measures a 2-core box, and another process's CPU shows up in every figure. B4 drives the HTTP API with");
        md.AppendLine("wrk (`apt-get install wrk`; `./test` installs it), which the bench runs as a separate process.");
        md.AppendLine("`-- --only write,experiments,lag,http,import,bulk,read` runs only those groups of figures (full sizes unless " +
            "`--quick`)");
        md.AppendLine("and writes to a temp folder, never to `docs/`: for profiling one figure (lag needs write in the same run).");
        md.AppendLine();
    }

    private static void RunSection(StringBuilder md, BenchResult r)
    {
        var m = r.Machine;
        md.AppendLine("## This run");
        md.AppendLine();
        md.AppendLine($"- Date: {r.StartedAt:yyyy-MM-dd HH:mm} UTC, {r.Sizes.Name} sizes, {r.Duration.TotalMinutes:0.0} minutes.");
        md.AppendLine($"- Machine: {m.Cores} cores ({m.CpuModel}), {m.MemoryGiB.ToString("0.#", Inv)} GiB memory, {m.Os}, .NET " +
            $"{m.Dotnet}.");
        md.AppendLine($"- PostgreSQL {m.PostgresVersion} on the same machine, started by the bench with initdb defaults: "
            + string.Join(", ", m.Settings.Where(kv => kv.Key != "server_version").Select(kv => $"`{kv.Key}={kv.Value}`")) + ".");
        md.AppendLine(r.OtherLoad.Shared
            ? $"- **The machine was shared during this run**: other dotnet/postgres processes (another engineer's builds and tests) used "
              + $"{r.OtherLoad.CpuSeconds:0} CPU-seconds over the run's {r.OtherLoad.WallSeconds:0} s " +
                  $"({r.OtherLoad.CpuSeconds / r.OtherLoad.WallSeconds * 100:0}% of one of the two cores on average). "
              + "Every figure and its baseline were measured in the same minutes, so ratios suffer less than absolute values."
            : $"- Other dotnet/postgres processes used {r.OtherLoad.CpuSeconds:0} CPU-seconds during the run: the machine was otherwise " +
                $"idle.");
        foreach (var busy in r.OtherLoad.Busiest) md.AppendLine($"  - {busy}");
        foreach (var note in r.Notes.Where(n => !n.StartsWith("The machine was shared", StringComparison.Ordinal))) md.AppendLine($"- " +
            $"{note}");
        md.AppendLine();
        md.AppendLine("### Sizes");
        md.AppendLine();
        md.AppendLine("| what | issue 8 | this run | why |");
        md.AppendLine("|---|---|---|---|");
        var i = Sizes.Issue;
        var s = r.Sizes;
        Row(md, "B1a/B1b commands per concurrency", "50,000", $"3 runs x {s.CommandsPerRun:N0} (+ {s.WarmUpCommands:N0} " +
            $"warm-up)", Why(s, s.CommandsPerRun * 3 < 50_000));
        Row(md, "B1d/B1e evidence imported", $"{i.ImportEvidencePerRun:N0}", $"3 runs x " +
            $"{s.ImportEvidencePerRun:N0}", Why(s, s.ImportEvidencePerRun * 3 < i.ImportEvidencePerRun));
        Row(md, "B2 large cycle", "20 x 8 x 200 evidence", $"20 x 8 x {s.LargeCycleEvidencePerCell} " +
            $"evidence", Why(s, s.LargeCycleEvidencePerCell < 200));
        Row(md, "B2 other cycles' events", $"{i.OtherCycleEvents:N0}", $"{s.OtherCycleEvents:N0}", Why(s,
            s.OtherCycleEvents < i.OtherCycleEvents));
        Row(md, "B2g growth", "10x", $"{s.GrowthFactor}x", "as asked");
        Row(md, "B3b duration", "60 s", $"{s.LagSeconds} s", Why(s, s.LagSeconds < 60));
        Row(md, "B5 stream lengths", "100 and 10,000", $"{s.ShortStream:N0} and {s.LongStream:N0}", Why(s, s.LongStream < 10_000));
        md.AppendLine();
    }

    private static string Why(Sizes s, bool reduced) =>
        !reduced ? "as asked"
        : s.Name == "quick" ? "quick mode (about 1/100)"
        : "reduced so that the whole bench fits in 30 minutes on 2 cores (the command path runs ~100-300 commands/s here); ratios are " +
            "taken within the same runs";

    private static void Row(StringBuilder md, params string[] cells) => md.AppendLine("| " + string.Join(" | ", cells) + " |");

    public static string F(double? x) => BenchContext.Format(x);

    public static string Pct(double? x) => x is { } v ? (v * 100).ToString(v < 0.1 ? "0.0" : "0", Inv) + "%" : "-";

    public static string RatioText(Figure f) => f.Ratio is not { } ratio ? "-"
        : f.Unit.StartsWith("ms", StringComparison.Ordinal) || f.Id is "B3b" or "B4" ? ratio.ToString("0.00", Inv) + "x" : Pct(ratio);

    private static string Met(Figure f) => f.Met switch
    {
        true => f.StretchMet == true ? "**met** (stretch too)" : "**met**",
        false => "**MISSED**",
        null => "-",
    };

    private static void FiguresSection(StringBuilder md, BenchResult r)
    {
        md.AppendLine("## Figures");
        md.AppendLine();
        md.AppendLine("Ratio = this project / raw, same run: throughput over throughput, or time over time for the read figures (lower " +
            "is better there);");
        md.AppendLine("B4 has no raw baseline (issue 9 asks for requests/s and latencies): its ratio is p99 / p50.");
        md.AppendLine($"Value and baseline are the median of {r.Sizes.Runs} run(s) after a warm-up; p50/p99 are over every operation of " +
            $"those runs.");
        md.AppendLine();
        md.AppendLine("| id | c | value | baseline | ratio | must (stretch) | met | p50 / p99 ms (raw p50 / p99) | workload |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var f in r.Figures.Where(f => f.Status != "context"))
            Row(md, $"{f.Id}{(f.Variant is null ? "" : $" ({f.Variant})")}{(f.Status == "measured-bench-side" ? " ‡" : "")}",
                f.Concurrency?.ToString(Inv) ?? "",
                $"{F(f.Value)} {f.Unit}", $"{F(f.Baseline)}", RatioText(f), f.Must ?? "-", Met(f),
                f.P50Ms is null ? "-" : $"{F(f.P50Ms)} / {F(f.P99Ms)}" + (f.BaselineP50Ms is null ? "" : $" ({F(f.BaselineP50Ms)} / " +
                    $"{F(f.BaselineP99Ms)})"),
                Escape(f.Workload) + (f.BaselineWorkload.Length > 0 ? $"; raw: " +
                    $"{Escape(f.BaselineWorkload)}" : "") + (f.Notes is { } n ? $"; {Escape(n)}" : ""));
        md.AppendLine();
        md.AppendLine("‡ the product lacks a feature this figure needs; the bench supplies the missing part (see \"Missing and missed\").");
        md.AppendLine();
    }

    private static string Escape(string s) => s.Replace("|", "\\|");

    private static void ExplanationSection(StringBuilder md, BenchResult r)
    {
        md.AppendLine("## What explains each figure");
        md.AppendLine();
        md.AppendLine("Per operation (a command, a report, a rebuild, a COPY row), this project / raw. Round trips = Npgsql commands and " +
            "batches");
        md.AppendLine("(each one round trip, counted by a listener on Npgsql's ActivitySource) plus one COMMIT per write transaction on " +
            "the paths that");
        md.AppendLine("use an explicit transaction (Marten's SaveChanges; the raw paths commit inside their batch or in autocommit). CPU " +
            "is read from /proc");
        md.AppendLine("for the bench process (the whole host: Wolverine, Marten, serialization) and for every PostgreSQL process of the " +
            "cluster.");
        md.AppendLine("Write transactions are transaction ids consumed; WAL from `pg_current_wal_lsn()` before and after.");
        md.AppendLine();
        md.AppendLine("| id | c | round trips/op | write tx/op | bench CPU ms/op | PostgreSQL CPU ms/op | WAL bytes/event | events/tx |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var f in r.Figures.Where(f => f.Explain is not null))
        {
            var e = f.Explain!;
            var b = f.BaselineExplain;
            string Pair(double? x, double? y) => y is null ? F(x) : $"{F(x)} / {F(y)}";
            Row(md, f.Id + (f.Variant is null ? "" : $" ({f.Variant})"), f.Concurrency?.ToString(Inv) ?? "",
                Pair(f.RoundTripsPerOp ?? e.NpgsqlCommandsPerOp, f.BaselineRoundTripsPerOp ?? b?.NpgsqlCommandsPerOp),
                Pair(e.WriteTransactionsPerOp, b?.WriteTransactionsPerOp), Pair(e.BenchCpuMsPerOp, b?.BenchCpuMsPerOp),
                Pair(e.PostgresCpuMsPerOp, b?.PostgresCpuMsPerOp), Pair(Nz(e.WalBytesPerEvent), Nz(b?.WalBytesPerEvent)),
                Pair(Nz(e.EventsPerTransaction), Nz(b?.EventsPerTransaction)));
        }
        md.AppendLine();
    }

    private static double? Nz(double? x) => x is 0 ? null : x;

    private static void ContextSection(StringBuilder md, BenchResult r)
    {
        var rows = r.Figures.Where(f => f.Status == "context").ToList();
        if (rows.Count == 0) return;
        md.AppendLine("## Context (no target)");
        md.AppendLine();
        md.AppendLine("| id | value | compared with | ratio | what |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var f in rows)
            Row(md, f.Id, $"{F(f.Value)} {f.Unit}", $"{F(f.Baseline)} " +
                $"({Escape(f.BaselineWorkload)})", RatioText(f), Escape(f.Workload) + (f.Notes is { } n ? $"; {Escape(n)}" : ""));
        md.AppendLine();
    }

    private static void MethodSection(StringBuilder md)
    {
        md.AppendLine("## Method");
        md.AppendLine();
        md.AppendLine("- **Cluster**: `LocalPostgres.StartTemporary()`, the same code the integration tests use: initdb defaults, fsync " +
            "and");
        md.AppendLine("  synchronous_commit on, one database per host (`bench`, `bench_no_outbound`, one per experiment, `bench_lag`, " +
            "`bench_http`,");
        md.AppendLine("  `bench_import`), all on one cluster.");
        md.AppendLine("- **Product**: the product's own host, `WebApplicationFactory<Program>` over that database (same handlers, same " +
            "Marten and");
        md.AppendLine("  Wolverine configuration), environment Production, log level Warning (per-message console logging would be " +
            "measured too).");
        md.AppendLine("  Commands go through the product's pipeline, `CommandRunner.Send(command, new CommandContext(actor))`, as " +
            "the HTTP and CLI entry points send them.");
        md.AppendLine("- **Raw baselines**: plain Npgsql from the same process, same cluster and database, into tables created with");
        md.AppendLine("  `LIKE compliance.mt_events INCLUDING ALL` (and mt_streams, mt_doc_assessment): the same columns and indexes, " +
            "plus the same");
        md.AppendLine("  foreign key to the streams table. Payloads are serialized by Marten's own serializer from the product's own " +
            "event records, so");
        md.AppendLine("  the bytes are the same. The by-hand command (B1a) runs the product's pure decision functions on the state it " +
            "reads.");
        md.AppendLine("- **Data**: synthetic but shaped like `data/seeds`: G7 members, 20 commitments per cycle with four dimensions and " +
            "a");
        md.AppendLine("  dimension-rule rubric (revised once), evidence paragraphs of ~400 characters with two citations of ~600 bytes " +
            "together,");
        md.AppendLine("  proposals with a rationale resting on the cell's evidence, approvals by the commitment's lead analyst. " +
            "Command-path data goes");
        md.AppendLine("  through the bus; bulk data (B1e, the read side's log) is the output of the same handlers' decision functions " +
            "run in memory");
        md.AppendLine("  and loaded with Marten's bulk insert, then the product's projections are rebuilt. The read side's cycles are " +
            "merged by");
        md.AppendLine("  recorded time, so a cycle's events are scattered across the log as in production.");
        md.AppendLine("- **Runs**: each write figure runs at concurrency 1 and 16 (16 workers owning disjoint cells), a warm-up run then " +
            "3 runs on");
        md.AppendLine("  fresh cells, product and raw interleaved within each run; the value is the median run. Read figures: a warm-up " +
            "call, then");
        md.AppendLine("  3 runs of N calls. B3b paces 16 workers at half of B1a's c16 rate and samples the projection's progress every " +
            "100 ms.");
        md.AppendLine($"- **Figures in the JSON**: {BenchResult.RequiredIds.Count} figure ids, each with `id`, `concurrency`, `value`, " +
            $"`unit`, `baseline`, `ratio`,");
        md.AppendLine("  `must`, `met`, then what explains it (`explain`, `baseline_explain`, round trips, percentiles, notes).");
        md.AppendLine();
    }
}
