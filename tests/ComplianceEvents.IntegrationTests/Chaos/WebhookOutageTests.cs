using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceEvents.Integration.DeliveringWebhooks;
using ComplianceEvents.IntegrationTests.Integration;
using ComplianceEvents.IntegrationTests.WriteSide;
using ComplianceEvents.IntegrationTests.Faults.Reliability;
using Xunit.Abstractions;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Chaos;

/// <summary>
/// Issue 15 item 5, tier B: the webhook receiver refuses connections for 60 s while 1,000 events are committed; the retry
/// policy (waits of 1, 4, 15 and 50 s: 70 s in all) outlasts the outage, so once the receiver is back every event arrives,
/// each once, and nothing is dead-lettered. Then the receiver goes down for longer than the policy: those deliveries are
/// dead-lettered, and replayed once it is back each arrives once, under its own delivery id.
/// </summary>
[Trait("Tier", "Chaos")]
[Collection(ChaosCollection.Name)]
public sealed class WebhookOutageTests(ITestOutputHelper output)
{
    private const int Events = 1_000, BeyondPolicy = 4, Writers = 8, Commitments = 13;
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Integration__Webhooks__RetryDelays"] = "00:00:01, 00:00:04, 00:00:15, 00:00:50",
        ["Integration__RecoveryPollingInterval"] = "00:00:01",
    };

    [Fact]
    public async Task a_receiver_down_60_s_gets_each_of_1000_events_once_after_it_returns_and_beyond_the_policy_a_replay_delivers()
    {
        var run = new ChaosRun(output, "webhook-outage");
        var random = run.Random(out _);
        using var chaos = await ChaosCluster.Start();
        await using var receiver = await WebhookReceiver.Start();
        var host = await chaos.StartHost(Settings);
        await ChaosWorld.Build(host, chaos.Key, Commitments);
        using var director = host.Client(chaos.Key, World.Director, World.DirectorRoles);
        using var analyst = host.Client(chaos.Key, World.Analyst, World.AnalystRoles);
        await WebhookTests.Subscribe(director, receiver.Url, "EvidenceRecordedV1");
        var commands = ChaosWorld.Commands(random, "hook", Events + BeyondPolicy, Commitments);
        var ledger = new Ledger();

        await receiver.Down();
        var downAt = DateTime.UtcNow;
        var next = -1;
        async Task Writer()
        {
            for (var i = Interlocked.Increment(ref next); i < Events; i = Interlocked.Increment(ref next))
                await ledger.SendWinningRaces(analyst, commands[i]);
        }
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Writer()));
        Assert.True(ledger.AcknowledgedCount == Events, $"{ledger.Counts()}\n{ledger.Unexpected()}");
        var written = (DateTime.UtcNow - downAt).TotalSeconds;
        Assert.True(written < Down.TotalSeconds, $"writing {Events} commands took {written:F0} s, longer than the outage");
        // The receiver stays down for 60 s in all (the scenario itself), watched: nothing may be dead-lettered meanwhile.
        var deadLettered = await Eventually(async () => (await DeadLetters(director)).TotalCount,
            n => n > 0 || DateTime.UtcNow - downAt >= Down, "the receiver's outage to last its length",
            seconds: (int)Down.TotalSeconds + 30);
        Assert.Equal(0, deadLettered);

        await receiver.Up();
        var upAt = DateTime.UtcNow;
        var expected = await LogChecks.EvidenceSequences(chaos.ConnectionString);
        Assert.Equal(Events, expected.Count);
        var delivered = await Eventually(() => Task.FromResult(LogChecks.Deliveries(receiver, expected)), d => d.Missing == 0,
            "every event at the receiver once it is back", seconds: 120);
        var lag = (DateTime.UtcNow - upAt).TotalSeconds;
        run.Log($"{Events} events written in {written:F1} s; all delivered {lag:F1} s after the receiver returned");
        Assert.Equal(0, delivered.Repeats);
        Assert.Equal(Events, delivered.Requests);
        Assert.Equal(0, (await DeadLetters(director)).TotalCount);

        // Beyond the policy: down again, for longer than its 70 s of waits.
        await receiver.Down();
        var before = receiver.Requests.Count;
        foreach (var command in commands.Skip(Events))
            Assert.Equal(Answer.Acknowledged, (await ledger.SendWinningRaces(analyst, command)).Answer);
        var deadAt = DateTime.UtcNow;
        var page = await Eventually(() => DeadLetters(director), p => p.TotalCount >= BeyondPolicy,
            "the deliveries beyond the retry policy in the dead letters", seconds: 180);
        run.Log($"{BeyondPolicy} deliveries dead-lettered {(DateTime.UtcNow - deadAt).TotalSeconds:F1} s after their commands");
        Assert.Equal(BeyondPolicy, page.TotalCount);
        Assert.All(page.DeadLetters, d => Assert.EndsWith(nameof(WebhookDeliveryFailedException), d.ExceptionType));
        Assert.All(page.DeadLetters, d => Assert.Equal(5, d.Attempts)); // the first try and the four retries
        Assert.Equal(before, receiver.Requests.Count);

        await receiver.Up();
        var replayedAt = DateTime.UtcNow;
        foreach (var letter in page.DeadLetters)
            Assert.Equal(HttpStatusCode.OK, (await director.PostAsync($"/integration/dead-letters/{letter.Id}/replay", null)).StatusCode);
        var all = await LogChecks.EvidenceSequences(chaos.ConnectionString);
        var replayed = await Eventually(() => Task.FromResult(LogChecks.Deliveries(receiver, all)), d => d.Missing == 0,
            "every replayed delivery at the receiver", seconds: 60);
        var replayLag = (DateTime.UtcNow - replayedAt).TotalSeconds;
        Assert.Equal(0, replayed.Repeats);
        var ids = receiver.Requests.Skip(before).Select(r => r.Header(WebhookSignature.DeliveryHeader)).Order().ToList();
        Assert.Equal(page.DeadLetters.Select(d => JsonDocument.Parse(d.Body!).RootElement.GetProperty("deliveryId").GetString()).Order(),
            ids);
        Assert.Equal(0, (await DeadLetters(director)).TotalCount);

        var log = await LogChecks.AssertEachCommand(chaos.ConnectionString, ledger);
        await ChaosRun.AssertLogVerifies(host, chaos.Key);
        await Invariants.AssertHold(chaos.ConnectionString, chaos.Key);
        run.Figures($"events {log.Acknowledged}, receiver down {Down.TotalSeconds:F0} s (events written in {written:F1} s), delivered " +
            $"{delivered.Delivered} once each {lag:F1} s after it returned, repeats {delivered.Repeats}; beyond the policy " +
            $"{BeyondPolicy} dead-lettered, replayed and delivered once in {replayLag:F1} s");
    }

    private static async Task<DeadLetterPage> DeadLetters(HttpClient director) =>
        (await director.GetFromJsonAsync<DeadLetterPage>("/integration/dead-letters?messageType=DeliverWebhook"))!;
}
