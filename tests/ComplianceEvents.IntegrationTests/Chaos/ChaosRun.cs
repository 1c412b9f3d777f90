using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceEvents.IntegrationTests.Integration;
using Xunit.Abstractions;

namespace ComplianceEvents.IntegrationTests.Chaos;

/// <summary>The chaos tier's scenarios run one after another, never beside another test: each loads both cores alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChaosCollection
{
    public const string Name = "chaos";
}

/// <summary>The seed of a scenario's random moments, printed so a failure can be replayed, and its figures line.</summary>
public sealed class ChaosRun(ITestOutputHelper output, string scenario)
{
    public const string SeedVariable = "CHAOS_SEED";
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public TimeSpan Elapsed => _clock.Elapsed;

    public Random Random(out int seed)
    {
        seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var given) ? given : System.Random.Shared.Next();
        output.WriteLine($"{scenario}: seed {seed} (replay with {SeedVariable}={seed} ./test --chaos)");
        return new Random(seed);
    }

    public void Log(string line) => output.WriteLine($"{scenario} [{_clock.Elapsed.TotalSeconds,6:F1} s] {line}");

    /// <summary>One line per scenario, the figures docs/reliability.md "Tier B: chaos" records.</summary>
    public void Figures(string line) => output.WriteLine($"{scenario} FIGURES: {line}; duration {_clock.Elapsed.TotalSeconds:F0} s");

    /// <summary>verify-log over HTTP on a live host once every write settled: the chain covers the whole log and finds it intact.</summary>
    public static async Task AssertLogVerifies(HostProcess host, string key)
    {
        using var client = host.Client(key, WriteSide.World.Analyst, WriteSide.World.AnalystRoles);
        var report = await IntegrationHost.Eventually(async () =>
            await client.GetFromJsonAsync<JsonElement>("/log/verification?mode=full"),
            r => !r.GetProperty("intact").GetBoolean() || r.GetProperty("unchained").GetInt64() == 0, "the chain to cover the log",
            seconds: 60);
        Assert.True(report.GetProperty("intact").GetBoolean(), $"verify-log: {report}");
    }
}
