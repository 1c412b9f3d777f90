using System.Net.Http.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.IntegrationTests.WriteSide;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Integration.Replying;

/// <summary>
/// docs/integration.md "Replies": a separate Wolverine service that only knows the wire names sends commands through the
/// inbound queue and gets each outcome back (accepted with ids and version, or refused with the rule and every field).
/// </summary>
public sealed class ReplyTests(AppFixture app) : HostTest(app)
{
    private IntegrationHost Host => For(App);
    private SenderService Sender => SenderService.For(App, Host);
    private static readonly string CellKey = Assessment.StreamKey(World.Cycle, World.C19, "CA");

    private static RecordEvidenceCommand Evidence(string? id = null, string summary = "On 12 July 2024, Canada and the US met.",
        string url = "https://www.publicsafety.gc.ca/cnt/nws/2024/07/cbcf.html") =>
        new(World.Cycle, World.C19, "CA", new DateOnly(2024, 7, 12), summary,
            [new CitationWire("The 2024 U.S.-Canada Cross Border Crime Forum", "Public Safety Canada", "Ottawa", "2024-07-12",
                new DateOnly(2024, 9, 20), url)], ["prevent"], "Strong", id);

    private async Task<int> CellEvents()
    {
        await using var session = Host.Store.QuerySession();
        return (await session.Events.FetchStreamAsync(CellKey)).Count;
    }

    [Fact]
    public async Task an_invoked_command_answers_accepted_with_its_resource_id_stream_and_version()
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();

        var outcome = await Sender.Invoke(Evidence("harvest-1"), commandId: "harvest-1");

        Assert.Equal("accepted", outcome.Outcome);
        Assert.Equal("harvest-1", outcome.CommandId);
        Assert.Equal("ComplianceEvents.Assessments.RecordingEvidence.RecordEvidence", outcome.CommandType);
        Assert.Equal("harvest-1", outcome.ResourceId);
        Assert.Equal(CellKey, outcome.StreamKey);
        Assert.Equal(2, outcome.Version); // AssessmentOpened, EvidenceRecorded
        Assert.Equal(2, outcome.EventIds.Count);
        Assert.False(outcome.Replayed);
        Assert.Equal(2, await CellEvents());
    }

    [Fact]
    public async Task a_refused_command_answers_with_the_rule_and_each_field_error_and_logs_them_once()
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();

        var outcome = await Sender.Invoke(Evidence(summary: "", url: "not a url"), commandId: "bad-1");

        Assert.Equal("refused", outcome.Outcome);
        Assert.Equal("validation", outcome.Rule);
        Assert.Equal("bad-1", outcome.CommandId);
        Assert.Contains(outcome.Errors, e => e.Field == "summary");
        Assert.Contains(outcome.Errors, e => e.Field == "citations[0].url");
        Assert.Null(outcome.Version);
        Assert.Equal(0, await CellEvents());
        var logged = Assert.Single(Host.Logs.Entries, e => e.Message.Contains("Queued command RecordEvidence bad-1 refused"));
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains("Invalid validation", logged.Message);
        Assert.Contains(" summary: ", logged.Message);
        Assert.Contains(" citations[0].url: ", logged.Message);
    }

    [Fact]
    public async Task a_repeated_command_id_repeats_the_first_outcome_and_appends_once()
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();

        var first = await Sender.Invoke(Evidence("harvest-2"), commandId: "harvest-2");
        var repeat = await Sender.Invoke(Evidence("harvest-2"), commandId: "harvest-2");

        Assert.Equal("accepted", repeat.Outcome);
        Assert.True(repeat.Replayed);
        Assert.Equal(first.Version, repeat.Version);
        Assert.Equal(first.EventIds, repeat.EventIds);
        Assert.NotEqual(first.RequestId, repeat.RequestId);
        Assert.Equal(2, await CellEvents());
    }

    [Fact]
    public async Task a_reply_queue_gets_the_outcome_correlated_by_command_and_conversation_and_no_ask_gets_no_answer()
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();
        var logs = InfoLogs.Attach(Host.Factory.Services);
        var before = Sender.Inbox.Received.Count;
        try
        {
            // Not asked: no outcome, and no "No routes can be determined" line for a returned value nobody routes.
            await Sender.Send(Evidence("quiet-1"), commandId: "quiet-1", replyWanted: false);
            // Asked (DeliveryOptions.RequireResponse): its outcome reaches the reply queue's handler. The queue is sequential, so
            // once this one is answered the first was handled too.
            await Sender.Send(Evidence("asked-1"), commandId: "asked-1");
            var received = await Eventually(() => Task.FromResult(Sender.Inbox.Received.Skip(before).ToList()), r => r.Count > 0,
                "the outcome in the reply queue");

            var (outcome, envelope) = Assert.Single(received);
            Assert.Equal("asked-1", outcome.CommandId);
            Assert.Equal("accepted", outcome.Outcome);
            Assert.Equal(outcome.RequestId, envelope.ConversationId);
            Assert.Equal(3, await CellEvents()); // AssessmentOpened and both items
            // The control: a message nobody routes makes Wolverine write exactly that line, and the capture sees it.
            await Host.Bus.PublishAsync(new UnroutedProbe());
            var noRoutes = logs.Entries.Where(e => e.Contains("No routes can be determined")).ToList();
            Assert.Contains(nameof(UnroutedProbe), Assert.Single(noRoutes));
            // Nor any other information line of Wolverine's about the commands: an accepted command is quiet.
            Assert.DoesNotContain(logs.Entries, e => e.StartsWith("Information Wolverine") && e.Contains("RecordEvidence"));
        }
        finally { logs.Detach(); }
    }

    [Fact]
    public async Task a_poison_command_is_not_answered_until_it_is_fixed_and_replayed()
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();
        var before = Sender.Inbox.Received.Count;

        await Sender.Send(new UnreadableEvidenceCommand(World.Cycle, World.C19, "CA", "yesterday"));
        var page = await Eventually(() => Host.Director.GetFromJsonAsync<DeadLetterPage>("/integration/dead-letters")!,
            p => p!.DeadLetters.Count > 0, "the poison command in the dead letters");
        Assert.Equal(before, Sender.Inbox.Received.Count);

        var replay = await Host.Director.PostAsJsonAsync($"/integration/dead-letters/{Assert.Single(page!.DeadLetters).Id}/replay",
            new { message = Evidence("fixed-1") }, Http.ApiJson.Options);
        Assert.Equal(System.Net.HttpStatusCode.OK, replay.StatusCode);
        var received = await Eventually(() => Task.FromResult(Sender.Inbox.Received.Skip(before).ToList()), r => r.Count > 0,
            "the replayed command's outcome");
        Assert.Equal("fixed-1", Assert.Single(received).Outcome.ResourceId);
        Assert.Equal("accepted", received[0].Outcome.Outcome);
    }
}

/// <summary>A message type this test publishes with no route, to see Wolverine's "No routes" line.</summary>
public sealed record UnroutedProbe;
