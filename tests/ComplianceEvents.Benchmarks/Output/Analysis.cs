using System.Globalization;
using System.Text;
using ComplianceEvents.Benchmarks.Measuring;

namespace ComplianceEvents.Benchmarks.Output;

/// <summary>
/// "Missing and missed": what the product lacks for a figure, and for each must that was missed the profile (round
/// trips first), what dominates, what the bench tried and by how much it moved the figure, and what is left to do
/// in src/ (which the bench does not change). Written from the run's own numbers.
/// </summary>
public static class Analysis
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(StringBuilder md, BenchResult r)
    {
        md.AppendLine("## Missing and missed");
        md.AppendLine();
        var missed = r.Figures.Where(f => f.Met == false).Select(f => f.Key).ToList();
        var undetermined = r.Figures.Where(f => f.Met is null && f.Must is not null && f.Status != "experiment"
            && f.Status != "context").Select(f => f.Key).ToList();
        var met = r.Figures.Where(f => f.Met == true).Select(f => f.Key).ToList();
        md.AppendLine($"- **Met**: {(met.Count == 0 ? "none" : string.Join(", ", met))}.");
        md.AppendLine($"- **Missed**: {(missed.Count == 0 ? "none" : string.Join(", ", missed))}.");
        if (undetermined.Count > 0) md.AppendLine($"- **Not determined**: {string.Join(", ", undetermined)} (see below).");
        md.AppendLine("- **B4** (HTTP, issue 9) has no raw baseline: its target is zero errors and p99 <= 10x p50, its ratio p99 / p50.");
        md.AppendLine("- **B3b** measures an asynchronous projection, and the product's projections are inline (its daemon runs only the");
        md.AppendLine("  integration-event subscription): the bench adds one (`CycleActivity`, multi-stream, per cycle) to the product's");
        md.AppendLine("  host with `ConfigureMarten` and runs Marten's daemon (`BuildProjectionDaemonAsync`, `StartAllAsync`); src/ is");
        md.AppendLine("  untouched.");
        md.AppendLine("- **B1e** is the product's `import --bulk`: B1e its event load as the product's own metric times it");
        md.AppendLine("  (`compliance.import.bulk.phase.duration`, phase `events`), B1e-total the whole command with its read models.");
        md.AppendLine("- **B1c** is the product's delivery of integration events: the host's daemon publishes them from the log a page");
        md.AppendLine("  at a time (ADR 0005). \"Without delivery\" cannot be configured entirely: the baseline host only drops the");
        md.AppendLine("  outbound queue.");
        md.AppendLine();

        Profiles(md, r);
        foreach (var group in r.Figures.Where(f => f.Met == false || (f.Met is null && f.Must is not null
            && f.Status is "measured" or "measured-bench-side"))
                     .GroupBy(f => f.Id))
            Explain(md, r, group.Key, group.ToList());
        Experiments(md, r);
    }

    private static void Profiles(StringBuilder md, BenchResult r)
    {
        if (r.Profiles.Count == 0) return;
        md.AppendLine("### Round trips of one command");
        md.AppendLine();
        md.AppendLine("Every Npgsql command or batch (one round trip each) one command caused, captured from Npgsql's ActivitySource, " +
            "Wolverine's");
        md.AppendLine("work after the command (delivering what it published) included. COMMITs of explicit transactions are not traced: " +
            "add one");
        md.AppendLine("per write transaction.");
        md.AppendLine();
        foreach (var (name, statements) in r.Profiles)
        {
            md.AppendLine($"<details><summary>{name}: {statements.Count} round trips</summary>");
            md.AppendLine();
            foreach (var (s, i) in statements.Select((s, i) => (s, i))) md.AppendLine($"{i + 1}. `{s.Replace("`", "'")}`");
            md.AppendLine();
            md.AppendLine("</details>");
            md.AppendLine();
        }
    }

    private static string F(double? x) => MarkdownOutput.F(x);

    private static Figure? Find(BenchResult r, string id, int? c = null) => r.Figures.FirstOrDefault(f => f.Id == id && (c is null
        || f.Concurrency == c));

    private static void Explain(StringBuilder md, BenchResult r, string id, List<Figure> figures)
    {
        md.AppendLine($"### {id}: {string.Join("; ", figures.Select(f => $"{(f.Concurrency is { } c ? $"c{c} " : "")}{(f.Variant is null ? "" : f.Variant + " ")}{MarkdownOutput.RatioText(f)} against {f.Must}"))}");
        md.AppendLine();
        var f = figures[0];
        switch (id)
        {
            case "B1a":
                WritePath(md, r, figures);
                break;
            case "B1b":
                md.AppendLine($"The same command path as B1a (see there) against one autocommit INSERT: 1 round trip and 1 write " +
                    $"transaction, "
                    + $"{F(f.BaselineExplain?.BenchCpuMsPerOp)} ms of host CPU. The bare INSERT does none of the command's work (no " +
                        $"state read, no "
                    + "decision, no snapshot, no integration event), so this ratio moves only with what moves B1a.");
                break;
            case "B1c":
                md.AppendLine($"The outgoing message costs " +
                    $"{F(f.Explain?.WriteTransactionsPerOp - f.BaselineExplain?.WriteTransactionsPerOp)} write transactions and "
                    + $"{F(f.RoundTripsPerOp - f.BaselineRoundTripsPerOp)} round trips more per command " +
                        $"({F(f.Explain?.WriteTransactionsPerOp)} / "
                    + $"{F(f.RoundTripsPerOp)} against {F(f.BaselineExplain?.WriteTransactionsPerOp)} / {F(f.BaselineRoundTripsPerOp)}): " +
                        $"after the command "
                    + "commits, Wolverine's sending agent moves the envelope from the outbox table into the outbound queue's table (one " +
                        "statement, a "
                    + "transaction with its own WAL flush), then deletes it from the outbox table once more (one more round trip); see " +
                        "the statement "
                    + "lists above. At c16 several envelopes are pending at once and their flushes are shared, which is why c16 pays " +
                        "less per command. "
                    + "Wolverine decides how it delivers; the product's lever is how many durable destinations an integration event has " +
                        "(two today).");
                break;
            case "B1d":
                md.AppendLine($"{f.Notes}. DatasetImporter checks the file against the input contract, then decides every "
                    + "command of the file in memory (ImportTransaction: each step validated, decided by the module's own pure function "
                    + "on the state so far, its receipt written) and commits once, with the inline projections (ADR 0004). Per event: "
                    + $"{F(f.RoundTripsPerOp)} round trips, {F(f.Explain?.WriteTransactionsPerOp)} write transactions and "
                    + $"{F(f.Explain?.BenchCpuMsPerOp)} ms of host CPU, against a COPY row's {F(f.BaselineExplain?.BenchCpuMsPerOp)} ms: " +
                        $"what is left is CPU "
                    + "that COPY does not do: per step, validation, the decision and fold, serializing events, receipts and snapshots. "
                    + "Before ADR 0002's batches (one command per item through the bus, 0.4 events per transaction) the import ran at "
                    + "under 1% of COPY. "
                    + (Find(r, "B1e") is { } e ? $"B1e, the bulk path without per-step rules, shows the ceiling: {F(e.Value)} events/s " +
                        $"({MarkdownOutput.RatioText(e)} of COPY)." : ""));
                break;
            case "B1e-total":
                md.AppendLine($"Profile: {f.Notes}; host CPU {F(f.Explain?.BenchCpuMsPerOp)} ms per event against a COPY row's "
                    + $"{F(f.BaselineExplain?.BenchCpuMsPerOp)} ms. Tried and kept: the receipts of the steps saved at the end in "
                    + "bounded sessions (a unit of work scans what it holds; a quarter of the steps' time), the read models written "
                    + "with COPY from the fold, the steps' input contract and payload hash computed ahead on every core "
                    + "(ImportTransaction.Precheck). What is left in the steps, by stopwatch: the input contract serialises each "
                    + "command to check it as the API would (the file was checked already, but each step is held to its command's own "
                    + "contract), the validators, the slice's decision and fold, and the receipt's hash (a second serialisation, kept: "
                    + "stored receipts compare against those bytes).");
                break;
            case "B1e":
                md.AppendLine($"The load itself is Marten's COPY-based bulk insert; what separates it from the raw COPY is Marten's " +
                    $"serialization of every "
                    + $"event and its mt_streams bookkeeping ({F(f.Explain?.BenchCpuMsPerOp)} against " +
                        $"{F(f.BaselineExplain?.BenchCpuMsPerOp)} ms of host CPU per event). "
                    + (f.Notes ?? ""));
                break;
            case "B3":
                Rebuild(md, r, f);
                break;
            case "B3b":
                md.AppendLine($"{f.Notes}. The lag floor is the daemon's polling (the baseline, {F(f.Baseline)} s idle): the high-water " +
                    $"agent polls every 250 ms "
                    + "to 1 s. A LISTEN/NOTIFY wake-up (DaemonSettings.Wakeup) would lower the floor; throughput-wise the daemon keeps " +
                        "up when the backlog does not grow.");
                break;
            case "B2" or "B2g":
                md.AppendLine($"Profile: {F(f.RoundTripsPerOp)} round trip(s) per report; host CPU {F(f.Explain?.BenchCpuMsPerOp)} ms " +
                    $"against "
                    + $"{F(f.BaselineExplain?.BenchCpuMsPerOp)} ms for reading and deserializing the same events: the difference is the " +
                        $"fold "
                    + "(Marten's materialisation of every event with its metadata and headers, the folds) and the rendering. "
                    + (f.Notes ?? "") + ". Rendering alone (about 13 MB of Markdown for this cycle) costs a large share of the raw "
                    + "read; B2-projection, the same report from the inline snapshots with no fold, is the floor of this report's "
                    + "building and rendering.");
                break;
            case "B4":
                md.AppendLine($"{f.Notes}. Round trips per request {F(f.RoundTripsPerOp)}; CPU per request " +
                    $"{F(f.Explain?.BenchCpuMsPerOp)} ms in the host "
                    + $"(Kestrel, JWT validation, Wolverine, Marten) and {F(f.Explain?.PostgresCpuMsPerOp)} ms in PostgreSQL, on the " +
                        $"same two cores as wrk. "
                    + "The mix is uneven by design: a report rebuilt from events costs far more than an assessment read, so the slow " +
                        "quarter of "
                    + "the requests sets p99 while the cheap reads set p50.");
                break;
            case "B5":
                md.AppendLine("Profile: one round trip each; the difference is the fold. The first measurement (4.3x on the 10,000-event " +
                    "stream) "
                    + "came from Assessment.Apply copying the whole evidence list for every evidence event, O(n^2); the product now " +
                        "appends to an "
                    + "immutable list that shares its items, O(n log n). What is left is Marten's live aggregation per event (the raw " +
                        "read only "
                    + "deserializes) and the records the fold allocates.");
                break;
            default:
                md.AppendLine(f.Notes ?? "");
                break;
        }
        md.AppendLine();
    }

    private static void WritePath(StringBuilder md, BenchResult r, List<Figure> figures)
    {
        var c1 = Find(r, "B1a", 1);
        var bare = Find(r, "B1b", 1);
        if (c1?.Explain is not { } e || c1.BaselineExplain is not { } b) return;
        var fsync = bare?.BaselineP50Ms;
        md.AppendLine($"Profile at c1: the product's command takes {F(c1.RoundTripsPerOp)} round trips and {F(e.WriteTransactionsPerOp)} " +
            $"write transactions, "
            + $"against {F(c1.BaselineRoundTripsPerOp)} and {F(b.WriteTransactionsPerOp)} by hand and 1 and 1 for the bare INSERT " +
                $"(statement lists above). "
            + $"With fsync and synchronous_commit on, every write transaction waits for a WAL flush: a bare INSERT takes {F(fsync)} ms " +
                $"(p50) here, "
            + $"so the flushes alone put a floor of about {F(fsync * e.WriteTransactionsPerOp)} ms under a command whose p50 is " +
                $"{F(c1.P50Ms)} ms "
            + $"(by hand: {F(c1.BaselineP50Ms)} ms). One write transaction is the command's own (events, the cell's snapshot and "
            + "its CellScore, and the receipt in one batch); the rest are the host's daemon publishing integration events from the "
            + "log a page at a time (its progress and the outbox envelopes moved to the outbound queue), shared by the commands of "
            + "a page. The reads before the decision are the cell's stream (FetchForWriting), its receipt, cycle and commitment, in "
            + $"one batched query (CommandRunner). CPU per command: {F(e.BenchCpuMsPerOp)} ms in the " +
                $"host and "
            + $"{F(e.PostgresCpuMsPerOp)} ms in PostgreSQL, against {F(b.BenchCpuMsPerOp)} and {F(b.PostgresCpuMsPerOp)} by hand; WAL "
            + $"{F(e.WalBytesPerEvent)} bytes per event against {F(b.WalBytesPerEvent)} (the whole Assessment snapshot is rewritten by " +
                $"both).");
        md.AppendLine();
        if (Find(r, "B1a", 16) is { Explain: { } e16 } c16)
            md.AppendLine($"At c16 the two cores are the limit: {F(e16.BenchCpuMsPerOp + e16.PostgresCpuMsPerOp)} ms of CPU per command "
                + $"(host {F(e16.BenchCpuMsPerOp)}, PostgreSQL {F(e16.PostgresCpuMsPerOp)}) caps the product at about "
                + $"{F(2000 / (e16.BenchCpuMsPerOp + e16.PostgresCpuMsPerOp))} commands/s; it ran {F(c16.Value)}.");
        md.AppendLine();
        md.AppendLine("Tried, by configuration of the product's host (rows \"B1a-...\" under Experiments, each against a run of the " +
            "product's own host");
        md.AppendLine("in the same minutes; the last lines are B1c's baseline, the product with no outbound queue):");
        foreach (var x in r.Figures.Where(x => x.Id.StartsWith("B1a-", StringComparison.Ordinal)))
            md.AppendLine($"- {x.Id[4..]} c{x.Concurrency}: {F(x.Value)} commands/s, {MarkdownOutput.Pct(x.Ratio)} of the product's " +
                $"(round trips {F(x.RoundTripsPerOp)}, write tx {F(x.Explain?.WriteTransactionsPerOp)}).");
        foreach (var x in r.Figures.Where(x => x.Id == "B1c"))
            md.AppendLine($"- no outbound queue c{x.Concurrency}: {F(x.Baseline)} commands/s, the product runs " +
                $"{MarkdownOutput.Pct(x.Ratio)} of it.");
        md.AppendLine();
        md.AppendLine("Done in src/ after the first measurement: the cell's cycle and commitment are read in the same batched query as " +
            "the stream");
        md.AppendLine("(two round trips less per assessment command). What is left: deliver integration events to webhooks from the " +
            "outbound queue");
        md.AppendLine("instead of a second durable local queue (one write transaction and two round trips less per command), and cache " +
            "the webhook");
        md.AppendLine("subscriptions the fan-out reads for every event. The \"no-delivery\" experiment is the ceiling of the command " +
            "path itself once");
        md.AppendLine("Wolverine's delivery work is not paid per command.");
    }

    private static void Rebuild(StringBuilder md, BenchResult r, Figure f)
    {
        var tuned = Find(r, "B3-tuned");
        r.Facts.TryGetValue("large-snapshot-kb", out var kb);
        r.Facts.TryGetValue("events-per-large-stream", out var perStream);
        r.Facts.TryGetValue("assessment-docs-mb", out var docsMb);
        md.AppendLine($"{f.Notes}.");
        md.AppendLine();
        md.AppendLine($"Profile: {F(f.RoundTripsPerOp ?? f.Explain?.NpgsqlCommandsPerOp)} round trips and " +
            $"{F(f.Explain?.WriteTransactionsPerOp)} write transactions; "
            + $"host CPU {F(f.Explain?.BenchCpuMsPerOp / 1000)} s, PostgreSQL CPU {F(f.Explain?.PostgresCpuMsPerOp / 1000)} s, WAL " +
                $"{F(f.Explain?.WalBytesPerEvent)} bytes "
            + $"per event (the raw replay writes nothing). With Marten's defaults the daemon rebuilds in pages of 500 events and, for " +
                $"every page, loads "
            + $"the snapshot of each stream the page touches and writes it back whole. A large-cycle assessment has {F(perStream)} " +
                $"events and ends as "
            + $"{F(kb)} KB of JSON, and its events are spread over the whole log (recorded over a year, among other cycles'), so with " +
                $"the defaults its "
            + $"snapshot was rewritten about once per event (the first measurement, with the defaults, stopped at its time box at about " +
                $"2% of the "
            + $"raw replay; a window of 5,000 changed aggregates, tried next, still rewrote each snapshot a dozen times and stayed at " +
                $"1.3%). "
            + $"The product now sets pages of 5,000 events and defers snapshot writes to windows of 100,000 changed aggregates "
            + $"(Persistence.Configure); this run wrote " +
                $"{F(f.Explain?.WalBytesPerEvent * f.Explain?.EventsPerTransaction * f.Explain?.WriteTransactionsPerOp / 1048576)} MB "
            + $"of WAL for Assessment documents that hold {F(docsMb)} MB of JSON. The fold no longer copies a cell's evidence list per " +
                $"event "
            + "(Assessment keeps it in an immutable list that shares its items).");
        md.AppendLine();
        if (tuned is not null)
            md.AppendLine($"Tried: one flush window for the whole rebuild (RebuildFlushThreshold 1,000,000, memory unbounded): " +
                $"{F(tuned.Value)} events/s, "
                + $"{MarkdownOutput.Pct(tuned.Ratio)} of the raw replay; {tuned.Notes}.");
    }

    private static void Experiments(StringBuilder md, BenchResult r)
    {
        var rows = r.Figures.Where(f => f.Status == "experiment").ToList();
        if (rows.Count == 0) return;
        md.AppendLine("### Experiments");
        md.AppendLine();
        md.AppendLine("Configuration tried on the product's host by the bench: one run each after a warm-up, against a run of the " +
            "product's own host");
        md.AppendLine("just before (write path) or against the figure's raw baseline (B3). One pair of runs: a few percent either way is " +
            "noise.");
        md.AppendLine();
        md.AppendLine("| id | c | value | compared with | ratio | round trips/op | write tx/op | what |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var x in rows)
            md.AppendLine($"| {x.Id} | {x.Concurrency} | {F(x.Value)} {x.Unit} | {F(x.Baseline)} | " +
                $"{(x.Ratio is { } q ? q.ToString("0.00", Inv) + "x" : "-")} | "
                + $"{F(x.RoundTripsPerOp ?? x.Explain?.NpgsqlCommandsPerOp)} | {F(x.Explain?.WriteTransactionsPerOp)} | " +
                    $"{x.Workload.Replace("|", "\\|")} |");
        md.AppendLine();
    }
}
