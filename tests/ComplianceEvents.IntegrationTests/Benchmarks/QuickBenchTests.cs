using System.Text.Json;
using ComplianceEvents.Benchmarks;
using ComplianceEvents.Benchmarks.Output;
using Xunit.Abstractions;

namespace ComplianceEvents.IntegrationTests.Benchmarks;

/// <summary>Runs alone, after the parallel collections: the quick bench starts its own cluster and three hosts.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QuickBenchCollection
{
    public const string Name = "quick-bench";
}

/// <summary>
/// Keeps the benchmark program of issue 8 from rotting: its quick mode (about 1/100 of the data) must still
/// produce every figure with a numeric value and baseline. How fast is not asserted; docs/benchmarks.md is.
/// </summary>
[Collection(QuickBenchCollection.Name)]
[Trait("Tier", "Slow")]
public sealed class QuickBenchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task the_quick_bench_produces_every_figure_with_a_value_and_a_baseline()
    {
        var log = new StringWriter();
        BenchResult result;
        try
        {
            result = await Bench.Run(Sizes.Quick, log);
        }
        finally
        {
            output.WriteLine(log.ToString());
        }

        foreach (var id in BenchResult.RequiredIds)
        {
            var figures = result.Figures.Where(f => f.Id == id).ToList();
            Assert.True(figures.Count > 0, $"figure {id} was not produced");
            foreach (var f in figures)
            {
                Assert.True(f.Value is { } v && double.IsFinite(v), $"{f.Key} has no numeric value");
                // B4 (HTTP load) has no raw baseline: its ratio is p99 / p50.
                if (id != "B4") Assert.True(f.Baseline is { } b && double.IsFinite(b) && b > 0, $"{f.Key} has no numeric baseline");
                Assert.True(f.Ratio is { } r && double.IsFinite(r), $"{f.Key} has no ratio");
                Assert.False(string.IsNullOrWhiteSpace(f.Must), $"{f.Key} has no target");
                Assert.NotNull(f.Met);
            }
        }
        Assert.Contains(result.Figures, f => f.Id == "B1a" && f.Concurrency == 1);
        Assert.Contains(result.Figures, f => f.Id == "B1a" && f.Concurrency == 16);

        var dir = Path.Combine(Path.GetTempPath(), "compliance-bench-test-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            BenchProgram.Write(result, dir);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "benchmarks.json")));
            var ids = json.RootElement.GetProperty("figures").EnumerateArray().Select(f => f.GetProperty("id").GetString()).ToHashSet();
            Assert.Superset(BenchResult.RequiredIds.ToHashSet(), ids!);
            var markdown = await File.ReadAllTextAsync(Path.Combine(dir, "benchmarks.md"));
            Assert.Contains("dotnet run -c Release --project tests/ComplianceEvents.Benchmarks", markdown);
            Assert.Contains("| B4 |", markdown);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
