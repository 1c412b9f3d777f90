using System.Net;
using System.Net.Http.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.WriteSide;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>
/// The actor of an integration event is the user id the entry point authenticated (never a name, never
/// what a sender claims), and each decision's flags travel with it.
/// </summary>
public sealed class EventContentTests(AppFixture app) : HostTest(app)
{
    private IntegrationHost Host => For(App);

    [Fact]
    public async Task occurred_by_is_the_token_subject_over_http_and_the_queue_identity_for_a_queued_command()
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();

        using var http = Host.Client("analyst-7f3a", Roles.Analyst);
        var response = await http.PostAsJsonAsync($"/cycles/{World.Cycle}/commitments/{World.C19}/assessments/CA/evidence", new
        {
            actionDate = "2024-07-12", summary = "On 12 July 2024, Canada acted.", strength = "strong",
            citations = new[] { new { title = "Forum", publisher = "Public Safety Canada", place = "Ottawa", published = "2024-07-12",
                accessed = "2024-09-20", url = "https://www.canada.ca/en/public-safety-canada.html" } },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        // The sender names the compliance director in its headers; the queue is bound to its identity.
        await Host.SendToQueue(World.Evidence("FR", new DateOnly(2024, 7, 12)), World.Director);

        var evidence = await Eventually(async () => (await OutboundOrder.Drained(Host)).Where(m => m.MessageType == "EvidenceRecordedV1")
            .ToDictionary(m => m.Body.GetProperty("memberCode").GetString()!, m => m.Body.GetProperty("occurredBy").GetString()),
            e => e.Count == 2, "both evidence items in the outbound queue");
        Assert.Equal("analyst-7f3a", evidence["CA"]);
        Assert.Equal(QueueIdentity, evidence["FR"]);
    }

    [Fact]
    public async Task a_proposal_and_evidence_carry_the_flags_their_decision_raised()
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();
        // Before the interim window (it starts 2024-06-15); strong in one dimension, so version 1's rules suggest 0.
        await Expect(Host.Send(World.Evidence("CA", new DateOnly(2024, 6, 13), Strength.Strong, "prevent"), World.Analyst,
            World.AnalystRoles));
        await Expect(Host.Send(World.Proposal("CA", 1, "e1"), World.Analyst, World.AnalystRoles));

        var queue = await Eventually(() => OutboundOrder.Drained(Host), q => q.Any(m => m.MessageType == "ScoreProposedV1"),
            "the proposal in the outbound queue");
        OutboundOrder.AssertDocumented(queue);
        Assert.Equal(["outside-window:interim (2024-06-13 is outside 2024-06-15..2024-12-20)"], Flags(queue, "EvidenceRecordedV1"));
        Assert.Equal(["disagrees-with-rubric: the dimension rules of version 1 suggest 0"], Flags(queue, "ScoreProposedV1"));
    }

    private static IEnumerable<string?> Flags(IReadOnlyList<OutboundMessage> queue, string type) =>
        queue.Single(m => m.MessageType == type).Body.GetProperty("flags").EnumerateArray().Select(f => f.GetString());
}
