using System.Net;
using ComplianceEvents.IntegrationTests.Integration;
using ComplianceEvents.IntegrationTests.WriteSide;
using ComplianceEvents.IntegrationTests.Faults.Reliability;
using Xunit.Abstractions;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Chaos;

/// <summary>
/// Issue 15 item 5, tier B: PostgreSQL stopped with <c>pg_ctl -m immediate</c> (a crash: no checkpoint, in-flight transactions
/// lost) 3 times for 10 s at random moments while 8 clients write. The clients do what the 503 asks: wait Retry-After, then
/// repeat the write under the same Idempotency-Key. During each outage writes are answered 503 (database-unavailable, or
/// commit-outcome-unknown for a write whose commit was cut), never another 5xx; within 30 s of the server being back a
/// write is acknowledged again; afterwards every command is in the log exactly once, the acknowledged ones included.
/// </summary>
[Trait("Tier", "Chaos")]
[Collection(ChaosCollection.Name)]
public sealed class DatabaseCrashTests(ITestOutputHelper output)
{
    private const int Outages = 3, Writers = 8, Commitments = 13;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10), RecoveryBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task three_immediate_stops_of_postgresql_lose_no_acknowledged_write_answer_503_and_recover_within_30_s()
    {
        var run = new ChaosRun(output, "database-crash");
        var random = run.Random(out _);
        using var chaos = await ChaosCluster.Start();
        var host = await chaos.StartHost();
        await ChaosWorld.Build(host, chaos.Key, Commitments);
        var commands = ChaosWorld.Commands(random, "crash", 20_000, Commitments);
        using var client = host.Client(chaos.Key, World.Analyst, World.AnalystRoles);
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        var ledger = new Ledger();
        var stop = new CancellationTokenSource();
        var next = -1;

        async Task Writer()
        {
            for (var i = Interlocked.Increment(ref next); !stop.IsCancellationRequested; i = Interlocked.Increment(ref next))
            {
                Assert.True(i < commands.Count, "the scenario ran out of commands");
                while (await ledger.Send(client, commands[i]) is { Answer: not Answer.Acknowledged } reply)
                {
                    if (reply.Answer is Answer.ServerError or Answer.Refused) break; // fails the test below, with the answer
                    // The client does what a 503 asks (docs/api.md): repeat under the same Idempotency-Key once the host says it
                    // is back (polled at the Retry-After it was given).
                    if (reply.Answer == Answer.Unavailable) await UntilHealthy(reply.RetryAfter);
                }
            }
        }

        async Task UntilHealthy(TimeSpan every) => await Eventually(async () =>
        {
            try { return (await anonymous.GetAsync("/health")).StatusCode; }
            catch (HttpRequestException) { return HttpStatusCode.ServiceUnavailable; }
        }, s => s == HttpStatusCode.OK || stop.IsCancellationRequested, "the host to be healthy again", seconds: 120,
            pollEvery: every);

        async Task Acknowledged(int more, string what)
        {
            var target = ledger.AcknowledgedCount + more;
            await Eventually(() => Task.FromResult(ledger.AcknowledgedCount), n => n >= target, what, seconds: 120);
        }

        var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(Writer)).ToList();
        var outages = new List<(DateTime Down, DateTime Back, double Recovery, HttpStatusCode Health)>();
        for (var o = 1; o <= Outages; o++)
        {
            // The writes go on for a random 200 to 800 acknowledged commands before each stop: the moment the server dies is the
            // scenario's.
            await Acknowledged(random.Next(200, 800), "writes before the stop");
            var down = DateTime.UtcNow;
            chaos.Crash();
            // The outage itself, watched: /health asked until the server has been down for the outage's length; every answer
            // meanwhile must be 503 (the last one is kept).
            var health = await Eventually(async () => (await anonymous.GetAsync("/health")).StatusCode,
                s => s != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow - down >= Outage, "the outage to last its length",
                seconds: (int)Outage.TotalSeconds + 30);
            chaos.Resume();
            var back = DateTime.UtcNow;
            var probe = new ChaosCommand($"probe-{o}", "c1", "CA", new DateOnly(2024, 7, 1));
            await Eventually(() => ledger.Send(client, probe), r => r.Answer == Answer.Acknowledged,
                "a write acknowledged after PostgreSQL is back", seconds: 60);
            var recovery = (DateTime.UtcNow - back).TotalSeconds;
            outages.Add((down, back, recovery, health));
            run.Log($"outage {o}: 503s {Unavailable(ledger, down, back)}, /health {(int)health} during it, write acknowledged " +
                $"{recovery:F1} s after PostgreSQL was back");
        }
        await Acknowledged(300, "writes after the last outage"); // then the clients finish what they hold
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        var healthy = await Eventually(async () => (await anonymous.GetAsync("/health")).StatusCode, s => s == HttpStatusCode.OK,
            "/health to be 200 again", seconds: 60);

        Assert.True(ledger.Unexpected().Length == 0, ledger.Unexpected());
        Assert.False(host.HasExited, "the host process exited during the outages:\n" + host.Output);
        foreach (var (down, back, recovery, health) in outages)
        {
            Assert.True(Unavailable(ledger, down, back) > 0, $"no 503 between {down:O} and {back:O}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health);
            Assert.True(recovery <= RecoveryBound.TotalSeconds, $"a write was acknowledged only {recovery:F1} s after the server was back");
        }
        Assert.Equal(ledger.Sent.Count, ledger.AcknowledgedCount); // every client repeated its write until it was acknowledged
        var log = await LogChecks.AssertEachCommand(chaos.ConnectionString, ledger);
        await ChaosRun.AssertLogVerifies(host, chaos.Key);
        await Invariants.AssertHold(chaos.ConnectionString, chaos.Key);
        Assert.Equal(HttpStatusCode.OK, healthy);

        var outageAnswers = ledger.Replies.Where(r => r.Reply.Answer == Answer.Unavailable).GroupBy(r => r.Reply.Problem)
            .Select(g => $"{g.Count()} {g.Key}");
        run.Figures($"commands {log.Commands}, acknowledged {log.Acknowledged} (after {ledger.Replies.Count} answers), outages " +
            $"{Outages} x {Outage.TotalSeconds:F0} s, 503s {ledger.Count(Answer.Unavailable)} ({string.Join(", ", outageAnswers)}), " +
            $"no answer {ledger.Count(Answer.NoAnswer)}, other 5xx 0, recovery {string.Join("/", outages.Select(o => o.Recovery
                .ToString("F1")))} s");
    }

    private static int Unavailable(Ledger ledger, DateTime down, DateTime back) =>
        ledger.Replies.Count(r => r.Reply.Answer == Answer.Unavailable && r.At >= down && r.At <= back.AddSeconds(1));
}
