using ComplianceEvents.Benchmarks.Data;
using ComplianceEvents.Benchmarks.Hosting;
using ComplianceEvents.Benchmarks.Measuring;
using ComplianceEvents.Benchmarks.Output;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace ComplianceEvents.Benchmarks.Figures;

/// <summary>
/// What was tried against the write path's misses, by configuration only (src/ is not the bench's to change): the
/// product's host with one setting changed, one run per concurrency after a warm-up, against a run of the product's
/// own host just before. One pair of runs: a difference of a few percent is noise.
/// </summary>
public static class Experiments
{
    public sealed record Variant(string Id, string What, Action<IServiceCollection>? Additions, IReadOnlyDictionary<string, string>? Settings = null);

    private static void FanOutInMemory(IServiceCollection s) => s.ConfigureWolverine(o => o.LocalQueue("integration").BufferedInMemory());

    public static readonly IReadOnlyList<Variant> WritePath =
    [
        new("fanout-in-memory", "the local webhook fan-out queue buffered in memory instead of durable (one write transaction less per command; "
            + "a crash could then lose a webhook, which DESIGN 2.3 does not allow)", FanOutInMemory),
        new("no-delivery", "no outbound queue and the fan-out queue in memory: the command's own transaction without Wolverine's delivery work "
            + "(what the command path costs before integration events)", FanOutInMemory,
            new Dictionary<string, string> { ["Integration:Outbound:Queues"] = "" }),
    ];

    /// <summary>Each variant against the product's own host, a run of each in turn per concurrency (half B1a's run size), so both share the same minutes.</summary>
    public static async Task Write(BenchContext ctx, BenchCluster cluster, ProductHost product)
    {
        var seed = 5_000;
        var size = Math.Max(ctx.Sizes.WarmUpCommands, ctx.Sizes.CommandsPerRun / 2);
        foreach (var variant in WritePath)
        {
            await using var host = await ProductHost.Start(await cluster.CreateDatabase($"bench_{variant.Id.Replace('-', '_')}"), variant.Additions, variant.Settings);
            foreach (var c in WriteFigures.Concurrencies)
            {
                var buses = Enumerable.Range(0, c).Select(_ => host.NewSender()).ToArray();
                var productBuses = Enumerable.Range(0, c).Select(_ => product.NewSender()).ToArray();
                await WriteFigures.Product(ctx, host, buses, CommandWorkload.Build($"x{c}w", ctx.Sizes.WarmUpCommands, ctx.Sizes.EvidencePerCell, seed++), c);
                var baseline = await WriteFigures.Product(ctx, product, productBuses, CommandWorkload.Build($"x{c}{variant.Id}p", size, ctx.Sizes.EvidencePerCell, seed++), c);
                var run = await WriteFigures.Product(ctx, host, buses, CommandWorkload.Build($"x{c}r", size, ctx.Sizes.EvidencePerCell, seed++), c);
                ctx.Add(new Figure
                {
                    Id = $"B1a-{variant.Id}", Concurrency = c, Unit = "commands/s", Value = run.Run.Throughput, Baseline = baseline.Run.Throughput,
                    Ratio = run.Run.Throughput / baseline.Run.Throughput, Status = "experiment", Explain = run.Explain, BaselineExplain = baseline.Explain,
                    RoundTripsPerOp = run.Explain.RoundTripsPerOp(explicitCommits: true), BaselineRoundTripsPerOp = baseline.Explain.RoundTripsPerOp(explicitCommits: true),
                    P50Ms = Summary.Percentile([.. run.Run.LatenciesMs.Order()], 0.5), BaselineP50Ms = Summary.Percentile([.. baseline.Run.LatenciesMs.Order()], 0.5),
                    Workload = $"B1a's command path with {variant.What}; one run of {size} commands",
                    BaselineWorkload = "the product's own host, a run of the same size just before",
                });
            }
        }
    }
}
