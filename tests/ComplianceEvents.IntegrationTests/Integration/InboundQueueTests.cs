using System.Net;
using System.Net.Http.Json;
using System.Text;
using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Assessments.RejectingScore;
using ComplianceEvents.Assessments.ReturningProposal;
using ComplianceEvents.Integration;
using ComplianceEvents.Integration.DeliveringWebhooks;
using ComplianceEvents.Integration.ListingDeadLetters;
using ComplianceEvents.IntegrationTests.WriteSide;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>Issue 9 item 3, inbound: commands from the durable PostgreSQL queue, acting as the queue's service identity.</summary>
public sealed class InboundQueueTests(AppFixture app) : HostTest(app)
{
    private IntegrationHost Host => For(App);
    private static readonly string CellKey = Assessment.StreamKey(World.Cycle, World.C19, "CA");

    private async Task<IReadOnlyList<JasperFx.Events.IEvent>> Cell()
    {
        await using var session = Host.Store.QuerySession();
        return await session.Events.FetchStreamAsync(CellKey);
    }

    [Fact]
    public async Task queued_commands_append_their_events_as_the_queue_identity_whatever_user_the_sender_names()
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();

        // The sender claims to be the compliance director; the queue is bound to "harvester" (analyst).
        await Host.SendToQueue(World.Evidence("CA", new DateOnly(2024, 7, 12), Strength.Strong, "prevent"), World.Director);
        await Host.SendToQueue(World.Proposal("CA", 0, "e1"), World.Director);

        var events = await Eventually(Cell, es => es.Any(e => e.Data is ScoreProposed), "the queued proposal");
        Assert.Equal(["AssessmentOpened", "EvidenceRecorded", "ScoreProposed"], events.Select(e => e.Data.GetType().Name));
        Assert.All(events, e => Assert.Equal(QueueIdentity, e.GetHeader("user-id")?.ToString()));
        Assert.Equal(QueueIdentity, events.Select(e => e.Data).OfType<ScoreProposed>().Single().ProposedBy);
    }

    [Fact]
    public async Task queued_reviews_are_refused_with_zero_events_when_the_identity_may_not_approve()
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();
        await Expect(Host.Send(World.Evidence("CA", new DateOnly(2024, 7, 12)), World.Analyst, World.AnalystRoles));
        await Expect(Host.Send(World.Proposal("CA", 0, "e1"), World.Analyst, World.AnalystRoles));
        var before = await Host.EventCount();

        // Forged as the commitment's director, which HTTP would accept: the queue is not allowed to review.
        object[] reviews =
        [
            new ApproveScore(World.Cycle, World.C19, "CA", "p1"),
            new ReturnProposal(World.Cycle, World.C19, "CA", "p1", "Needs sources"),
            new RejectScore(World.Cycle, World.C19, "CA", "p1", "Wrong"),
        ];
        foreach (var review in reviews) await Host.SendToQueue(review, World.Director);

        foreach (var review in reviews)
        {
            var name = review.GetType().Name;
            var entry = await Eventually(() => Task.FromResult(Host.Logs.Entries.FirstOrDefault(e => e.Message.Contains($"Queued command {name} "))),
                e => e.Message is not null, $"the refusal of the queued {name}");
            Assert.Contains("Forbidden queue-review-not-allowed", entry.Message);
        }
        Assert.Equal(before, await Host.EventCount());
        await using var session = Host.Store.QuerySession();
        Assert.Equal("p1", (await session.LoadAsync<Assessment>(CellKey))!.Pending?.ProposalId);
    }

    [Fact]
    public async Task a_poison_message_lands_in_the_dead_letters_and_replays_once_fixed()
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();
        var director = Host.Director;

        await Host.SendRawToQueue(Encoding.UTF8.GetBytes("{ \"cycleId\": \"2024-apulia\", "), typeof(RecordEvidence));
        var page = await Eventually(() => director.GetFromJsonAsync<DeadLetterPage>("/integration/dead-letters")!,
            p => p!.DeadLetters.Count > 0, "the poison message in the dead letters");
        var letter = Assert.Single(page!.DeadLetters);
        Assert.EndsWith(nameof(RecordEvidence), letter.MessageType);
        Assert.False(string.IsNullOrWhiteSpace(letter.ExceptionType));
        Assert.False(string.IsNullOrWhiteSpace(letter.ExceptionMessage));
        Assert.Equal("{ \"cycleId\": \"2024-apulia\", ", letter.Body);
        Assert.Empty(await Cell());

        var fixedCommand = World.Evidence("CA", new DateOnly(2024, 7, 12), Strength.Weak, "counter");
        // The fixed body is the wire format (enums as names): the queue holds it to the input contract like any other.
        var replay = await director.PostAsJsonAsync($"/integration/dead-letters/{letter.Id}/replay", new { message = fixedCommand },
            Http.ApiJson.Options);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);

        var events = await Eventually(Cell, es => es.Any(e => e.Data is EvidenceRecorded), "the replayed command's events");
        Assert.Equal(QueueIdentity, events.Last().GetHeader("user-id")?.ToString());
        Assert.Equal(Strength.Weak, events.Select(e => e.Data).OfType<EvidenceRecorded>().Single().Strength);
        await Eventually(() => director.GetFromJsonAsync<DeadLetterPage>("/integration/dead-letters")!, p => p!.DeadLetters.Count == 0, "the dead letter to go");
        Assert.Equal(HttpStatusCode.NotFound, (await director.PostAsJsonAsync($"/integration/dead-letters/{letter.Id}/replay", new { })).StatusCode);
    }

    [Fact]
    public async Task internal_messages_sent_to_the_queue_are_dead_lettered_not_handled()
    {
        await Host.ResetMessaging();
        await using var receiver = await WebhookReceiver.Start();
        var subscription = await WebhookTests.Subscribe(Host.Director, receiver.Url, "*");

        // Were it handled, anyone who can write to the queue could make the host POST signed bodies anywhere.
        await Host.SendToQueue(new DeliverWebhook(Guid.NewGuid(), subscription, "ScoreApprovedV1", "{\"forged\":true}"));
        var page = await Eventually(() => Host.Director.GetFromJsonAsync<DeadLetterPage>("/integration/dead-letters")!,
            p => p!.DeadLetters.Count > 0, "the forged delivery in the dead letters");
        Assert.EndsWith(nameof(ExternalMessageRefusedException), Assert.Single(page!.DeadLetters).ExceptionType);
        Assert.Empty(receiver.Requests);
    }
}

public sealed record DeadLetterPage(int TotalCount, IReadOnlyList<DeadLetterView> DeadLetters);
