using ComplianceEvents.Benchmarks.Figures;
using ComplianceEvents.Benchmarks.Hosting;
using ComplianceEvents.Benchmarks.Measuring;
using ComplianceEvents.Benchmarks.Output;
using ComplianceEvents.Benchmarks.Raw;

namespace ComplianceEvents.Benchmarks;

/// <summary>
/// The whole bench, in the order the figures depend on each other: the write path first (B1a/B1b, whose c16
/// rate B3b paces itself on), then the figures that need bench additions (B1c, B3b), the imports (B1d, B1e),
/// and the read side over a large log (B3, B2, B5, then B2g after the log grows tenfold).
/// </summary>
public static class Bench
{
    /// <summary>The figure groups, in run order; <c>--only a,b</c> runs just those (for profiling one figure; writes nothing).</summary>
    public static readonly string[] Groups = ["write", "experiments", "lag", "http", "import", "bulk", "read"];

    public static async Task<BenchResult> Run(Sizes sizes, TextWriter log, CancellationToken ct = default, ISet<string>? only = null)
    {
        bool On(string group) => only is null || only.Contains(group);
        var startedAt = DateTimeOffset.UtcNow;
        using var cluster = BenchCluster.Start();
        await using var monitor = new LoadMonitor(() => cluster.PostmasterPid);
        using var probe = new Probe(cluster.ServerConnectionString);
        var ctx = new BenchContext(sizes, probe, log);
        var machine = await cluster.Describe();
        ctx.Say($"{sizes.Name} bench: {machine.Cores} cores, {machine.MemoryGiB} GiB, {machine.CpuModel}; PostgreSQL {machine.PostgresVersion}; "
            + $"fsync={machine.Settings["fsync"]} synchronous_commit={machine.Settings["synchronous_commit"]}");

        await using (var host = await ProductHost.Start(await cluster.CreateDatabase("bench")))
        await using (var raw = new RawStore(host.ConnectionString, host.Store))
        {
            await raw.CreateTables();
            Dictionary<int, Series>? b1a = null;
            // B1c's baseline: the product with no outbound queue configured (its integration events then only reach the local fan-out queue).
            if (On("write"))
            await using (var withoutOutbound = await ProductHost.Start(await cluster.CreateDatabase("bench_no_outbound"),
                settings: new Dictionary<string, string> { ["Integration:Outbound:Queues"] = "" }))
                b1a = await WriteFigures.Run(ctx, host, raw, withoutOutbound);
            ct.ThrowIfCancellationRequested();
            if (On("experiments")) await Experiments.Write(ctx, cluster, host);
            ct.ThrowIfCancellationRequested();

            if (On("lag") && b1a is not null)
            await using (var lagHost = await ProductHost.Start(await cluster.CreateDatabase("bench_lag"), BenchAdditions.Register))
                await LagFigure.Run(ctx, lagHost, b1a[16].Summary.Throughput);
            ct.ThrowIfCancellationRequested();

            if (On("http")) await HttpFigure.Run(ctx, cluster);
            ct.ThrowIfCancellationRequested();

            if (On("import")) await ImportFigures.CommandPath(ctx, host, raw);
            ct.ThrowIfCancellationRequested();

            if (On("bulk"))
            await using (var importHost = await ProductHost.Start(await cluster.CreateDatabase("bench_import")))
            await using (var importRaw = new RawStore(importHost.ConnectionString, importHost.Store))
            {
                await importRaw.CreateTables();
                await ImportFigures.BulkPath(ctx, importHost, importRaw);
            }
            ct.ThrowIfCancellationRequested();

            if (On("read")) await ReadFigures.Run(ctx, host, raw);
        }

        var load = monitor.Current();
        if (load.Shared)
            ctx.Notes.Add($"The machine was shared during the run: other dotnet/postgres processes used {load.CpuSeconds:0} CPU-seconds over "
                + $"{load.WallSeconds:0} s ({load.CpuSeconds / load.WallSeconds * 100:0}% of one core on average).");
        ctx.Say($"done in {ctx.Elapsed:mm\\:ss}; other load: {load.CpuSeconds:0} CPU-s over {load.WallSeconds:0} s");
        return new BenchResult(sizes, machine, startedAt, ctx.Elapsed, load, ctx.Figures, ctx.Notes, ctx.Profiles, ctx.Facts);
    }
}
