using System.Diagnostics;
using ComplianceEvents.IntegrationTests.WriteSide;
using ComplianceEvents.IntegrationTests.Faults.Reliability;
using Xunit.Abstractions;

namespace ComplianceEvents.IntegrationTests.Chaos;

/// <summary>
/// Issue 15 item 5, tier B: 50 concurrent clients send 10,000 commands in all (200 each) to one host, each to a cell drawn at
/// random among 104, so writers race on the same streams. Nothing is lost, nothing is in the log twice, nothing is answered
/// 5xx. A lost race the pipeline could not win in its own retries is a 409 stream-version (docs/api.md "reload and retry"):
/// the client repeats it under the same Idempotency-Key, and those repeats are counted.
/// </summary>
[Trait("Tier", "Chaos")]
[Collection(ChaosCollection.Name)]
public sealed class ManyWritersTests(ITestOutputHelper output)
{
    private const int Writers = 50, Commands = 10_000, Commitments = 13;

    [Fact]
    public async Task fifty_writers_sending_10000_commands_lose_none_repeat_none_and_get_no_5xx()
    {
        var run = new ChaosRun(output, "many-writers");
        var random = run.Random(out _);
        using var chaos = await ChaosCluster.Start();
        var host = await chaos.StartHost();
        await ChaosWorld.Build(host, chaos.Key, Commitments);
        var commands = ChaosWorld.Commands(random, "many", Commands, Commitments);
        using var client = host.Client(chaos.Key, World.Analyst, World.AnalystRoles);
        var ledger = new Ledger();
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();

        async Task Writer(int w)
        {
            foreach (var command in commands.Skip(w * (Commands / Writers)).Take(Commands / Writers))
                latencies.Add((await ledger.SendWinningRaces(client, command)).Took.TotalMilliseconds);
        }
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => Writer(w))));
        var took = clock.Elapsed;

        Assert.True(ledger.Unexpected().Length == 0, ledger.Unexpected());
        Assert.Equal(0, ledger.Count(Answer.NoAnswer));
        Assert.Equal(0, ledger.Count(Answer.Unavailable));
        Assert.True(ledger.AcknowledgedCount == Commands, ledger.Counts());
        var log = await LogChecks.AssertEachCommand(chaos.ConnectionString, ledger);
        await ChaosRun.AssertLogVerifies(host, chaos.Key);
        await Invariants.AssertHold(chaos.ConnectionString, chaos.Key);
        var sorted = latencies.Order().ToList();
        run.Figures($"writers {Writers}, commands {log.Commands}, acknowledged {log.Acknowledged}, 5xx 0, 409 repeated " +
            $"{ledger.Count(Answer.Conflict)}, {Commands / took.TotalSeconds:F0} commands/s, latency p50 " +
            $"{sorted[sorted.Count / 2]:F0} ms " +
            $"p99 {sorted[sorted.Count * 99 / 100]:F0} ms, writing {took.TotalSeconds:F0} s");
    }
}
