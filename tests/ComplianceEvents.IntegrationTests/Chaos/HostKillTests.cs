using System.Threading.Channels;
using ComplianceEvents.IntegrationTests.Integration;
using ComplianceEvents.IntegrationTests.WriteSide;
using ComplianceEvents.IntegrationTests.Faults.Reliability;
using Xunit.Abstractions;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Chaos;

/// <summary>
/// Issue 15 item 5, tier B: the host killed with SIGKILL (by its process id) 5 times at random moments while 8 clients send
/// 5,000 commands; each time another host process starts on the same database. Every acknowledged command is in the log
/// exactly once, every unacknowledged one wholly or not at all, and the integration event of every committed command
/// reaches the outbound queue exactly once and a webhook receiver under one delivery id, within 60 s of the last restart
/// (or of the last answer, when commands were still being answered later).
/// </summary>
[Trait("Tier", "Chaos")]
[Collection(ChaosCollection.Name)]
public sealed class HostKillTests(ITestOutputHelper output)
{
    private const int Commands = 5_000, Kills = 5, Writers = 8, Commitments = 13;

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Integration__Webhooks__RetryDelays"] = "00:00:00.200, 00:00:01, 00:00:05",
        ["Integration__RecoveryPollingInterval"] = "00:00:01",
    };

    /// <summary>The host serving now; <see cref="Next"/> completes with its successor once that one is healthy.</summary>
    private sealed class Serving(HostProcess host, HttpClient client)
    {
        public HostProcess Host { get; } = host;
        public HttpClient Client { get; } = client;
        public volatile bool Dying, Killed;
        public TaskCompletionSource<Serving> Next { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [Fact]
    public async Task five_kills_under_5000_commands_lose_or_repeat_no_acknowledged_command_and_deliver_every_committed_event()
    {
        var run = new ChaosRun(output, "host-kill");
        var random = run.Random(out _);
        using var chaos = await ChaosCluster.Start();
        await using var receiver = await WebhookReceiver.Start();
        var first = await chaos.StartHost(Settings);
        await ChaosWorld.Build(first, chaos.Key, Commitments);
        using (var director = first.Client(chaos.Key, World.Director, World.DirectorRoles))
            await WebhookTests.Subscribe(director, receiver.Url, "EvidenceRecordedV1");
        var commands = ChaosWorld.Commands(random, "kill", Commands, Commitments);
        // One kill in each fifth of the first 80% of the commands, so every restart is followed by commands and deliveries.
        var span = (Commands * 4 / 5 - 200) / Kills;
        var killAt = Enumerable.Range(0, Kills).Select(k => 200 + k * span + random.Next(span - 20)).ToHashSet();
        run.Log($"kills at commands {string.Join(", ", killAt.Order())}");

        var ledger = new Ledger();
        var current = new Serving(first, first.Client(chaos.Key, World.Analyst, World.AnalystRoles));
        var signals = Channel.CreateUnbounded<int>();
        var restarts = new List<double>();
        var lastRestart = DateTime.UtcNow;
        int next = -1, inFlight = 0;

        async Task Writer()
        {
            for (var i = Interlocked.Increment(ref next); i < Commands; i = Interlocked.Increment(ref next))
            {
                if (killAt.Contains(i)) signals.Writer.TryWrite(i);
                var serving = Volatile.Read(ref current);
                while (serving.Killed) serving = await serving.Next.Task;
                Interlocked.Increment(ref inFlight);
                var reply = await ledger.SendWinningRaces(serving.Client, commands[i]);
                Interlocked.Decrement(ref inFlight);
                // A client whose host died under it waits for the next one (sent before it noticed, commands are cut too).
                if (reply.Answer == Answer.NoAnswer && serving.Dying) await serving.Next.Task;
            }
        }

        async Task Killer()
        {
            for (var k = 1; k <= Kills; k++)
            {
                var at = await signals.Reader.ReadAsync();
                var old = Volatile.Read(ref current);
                // Killed while the clients go on sending: the commands in flight and those sent until the clients notice are cut.
                var cut = Volatile.Read(ref inFlight);
                old.Dying = true;
                old.Host.Kill();
                old.Killed = true;
                var down = run.Elapsed;
                HostProcess host;
                try { host = await chaos.StartHost(Settings); }
                catch (Exception e)
                {
                    old.Next.SetException(e); // the writers waiting for a host stop with the reason
                    throw;
                }
                var serving = new Serving(host, host.Client(chaos.Key, World.Analyst, World.AnalystRoles));
                Volatile.Write(ref current, serving);
                lastRestart = DateTime.UtcNow;
                old.Next.SetResult(serving);
                restarts.Add((run.Elapsed - down).TotalSeconds);
                run.Log($"kill {k} at command {at} with {cut} commands in flight: acknowledged so far {ledger.AcknowledgedCount}, " +
                    $"no answer {ledger.Count(Answer.NoAnswer)}, serving again after {restarts[^1]:F1} s");
            }
        }

        var killer = Killer();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Writer()).Append(killer));
        var lastAnswer = ledger.Replies.Max(r => r.At);
        Assert.True(ledger.Unexpected().Length == 0, ledger.Unexpected());

        var log = await LogChecks.AssertEachCommand(chaos.ConnectionString, ledger);
        var expected = await LogChecks.EvidenceSequences(chaos.ConnectionString);
        var from = lastRestart > lastAnswer ? lastRestart : lastAnswer;
        var deliveries = await Eventually(() => Task.FromResult(LogChecks.Deliveries(receiver, expected)), d => d.Missing == 0,
            "every committed evidence event at the webhook receiver", seconds: Math.Max(1, (int)(from.AddSeconds(60) - DateTime.UtcNow)
                .TotalSeconds));
        var lag = DateTime.UtcNow - lastRestart;
        var outbound = await Eventually(() => OutboundChecks.Sequences(chaos.ConnectionString, chaos.Outbound, "EvidenceRecordedV1"),
            s => s.Count >= expected.Count, "every committed evidence event in the outbound queue");
        OutboundChecks.AssertExactlyOnce(outbound, expected);

        var serving = Volatile.Read(ref current);
        await ChaosRun.AssertLogVerifies(serving.Host, chaos.Key);
        await Invariants.AssertHold(chaos.ConnectionString, chaos.Key);
        Assert.Equal(deliveries.Requests, LogChecks.Deliveries(receiver, expected).Requests); // nothing arrived late meanwhile
        run.Figures($"commands {log.Commands}, acknowledged {log.Acknowledged}, unacknowledged {log.Commands - log.Acknowledged} " +
            $"(committed {log.UnacknowledgedCommitted}, absent {log.UnacknowledgedAbsent}), kills {Kills}, restart to healthy " +
            $"{string.Join("/", restarts.Select(r => r.ToString("F1")))} s, events delivered {deliveries.Delivered} by " +
            $"{lag.TotalSeconds:F1} s after the last restart ({(DateTime.UtcNow - lastAnswer).TotalSeconds:F1} s after the last " +
            $"answer), repeated delivery ids {deliveries.Repeats}, outbound queue {outbound.Count} messages");
    }
}
