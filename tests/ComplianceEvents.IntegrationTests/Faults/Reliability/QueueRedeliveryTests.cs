using ComplianceEvents.Assessments;
using ComplianceEvents.IntegrationTests.Integration;
using ComplianceEvents.IntegrationTests.Integration.Replying;
using ComplianceEvents.IntegrationTests.WriteSide;
using Xunit.Abstractions;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Faults.Reliability;

/// <summary>
/// At-least-once delivery seen from the product: a sender that delivers one queued command 100 times under one command id
/// (a sender retrying, a broker redelivering) gets one effect, one set of events and one integration event, and 99 answers
/// that are replays of the first.
/// </summary>
public sealed class QueueRedeliveryTests(AppFixture app, ITestOutputHelper output) : HostTest(app)
{
    private const int Copies = 100;
    private IntegrationHost Host => For(App);
    private SenderService Sender => SenderService.For(App, Host);

    private static RecordEvidenceCommand Evidence(string member) =>
        new(World.Cycle, World.C19, member, new DateOnly(2024, 7, 12), "On 12 July 2024, the government acted.",
            [new CitationWire("The 2024 U.S.-Canada Cross Border Crime Forum", "Public Safety Canada", "Ottawa", "2024-07-12",
                new DateOnly(2024, 9, 20), "https://www.publicsafety.gc.ca/cnt/nws/2024/07/cbcf.html")], ["prevent"], "Strong");

    [Fact]
    public async Task one_queued_command_delivered_a_hundred_times_takes_effect_once_and_is_answered_as_a_replay_99_times()
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();
        var before = await Host.EventCount();
        var answered = Sender.Inbox.Received.Count;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        for (var i = 0; i < Copies; i++) await Sender.Send(Evidence("CA"), commandId: "harvest-100x");
        var outcomes = (await Eventually(() => Task.FromResult(Sender.Inbox.Received.Skip(answered).ToList()), r => r.Count >= Copies,
            $"{Copies} outcomes in the reply queue", seconds: 90)).Select(r => r.Outcome).ToList();

        output.WriteLine($"{Copies} deliveries answered in {clock.Elapsed.TotalSeconds:0.0} s: {outcomes.Count(o => !o.Replayed)} " +
            $"first, {outcomes.Count(o => o.Replayed)} replays, {await Host.EventCount() - before} events");
        Assert.Equal(Copies, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(("accepted", "harvest-100x"), (o.Outcome, o.CommandId)));
        Assert.Single(outcomes, o => !o.Replayed);
        Assert.Single(outcomes.Select(o => string.Join(',', o.EventIds)).Distinct());
        Assert.Equal(Copies, outcomes.Select(o => o.RequestId).Distinct().Count()); // 100 deliveries, not one answered 100 times
        Assert.Equal(before + 2, await Host.EventCount()); // AssessmentOpened, EvidenceRecorded
        await using (var session = Host.Store.QuerySession())
            Assert.Single((await session.LoadAsync<Assessment>(Assessment.StreamKey(World.Cycle, World.C19, "CA")))!.Evidence);

        // The publisher goes in log order: once a later command's integration event is out, every earlier one is.
        await Expect(Host.Send(World.Evidence("FR", new DateOnly(2024, 7, 13)), World.Analyst, World.AnalystRoles));
        await Eventually(() => Host.Outbound("EvidenceRecordedV1"), n => n >= 2, "the later command's integration event");
        var published = (await Host.OutboundMessages()).Where(m => m.MessageType == "EvidenceRecordedV1")
            .Select(m => m.Body.GetProperty("memberCode").GetString()).ToList();
        Assert.Equal(["CA", "FR"], published);
        await Invariants.AssertHold(Host.ConnectionString, App.ChainKey);
    }
}
