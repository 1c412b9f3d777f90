using System.Text.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.AmendingEvidence;
using ComplianceEvents.Commitments.RevisingRubric;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.WriteSide;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>
/// Issue 9 item 3, outbound: integration events are published from what was committed, nothing else (issue 20: from the log,
/// by the daemon's publisher), and the stale notices follow the event that caused them.
/// </summary>
public sealed class OutboxTests(AppFixture app) : HostTest(app)
{
    private IntegrationHost Host => For(App);

    [Fact]
    public async Task refused_and_rolled_back_commands_publish_nothing()
    {
        await Host.ResetMessaging();
        await using var receiver = await WebhookReceiver.Start();
        await WebhookTests.Subscribe(Host.Director, receiver.Url, "*");
        await Host.BuildWorld();
        var evidence = World.Evidence("CA", new DateOnly(2024, 7, 12));

        var refused = await Host.Send(evidence, "vic", [Roles.Viewer]);
        Assert.Equal(Outcome.Forbidden, refused.Outcome);

        // Ten copies of one command id race: one commits, the others roll back at the unique receipt or stream.
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() =>
            Host.Send(evidence, World.Analyst, World.AnalystRoles, "harvest-42"))));
        Assert.All(results, r => Assert.True(r.IsAccepted, $"{r.Outcome} {r.Rule}"));

        var delivered = await WebhookTests.Received(receiver, 1, "the EvidenceRecordedV1 webhook");
        Assert.Equal(["EvidenceRecordedV1"], delivered.Select(r => r.Header("X-Compliance-Event")));
        Assert.Equal(1, await Host.Outbound("EvidenceRecordedV1"));
        Assert.Equal(0, await Host.Outbound("ScoreApprovedV1"));
    }

    [Fact]
    public async Task revised_rubrics_and_evidence_changed_after_approval_announce_stale_approvals_once()
    {
        await Host.ResetMessaging();
        await using var receiver = await WebhookReceiver.Start();
        await WebhookTests.Subscribe(Host.Director, receiver.Url, "ApprovalWentStaleV1");
        await Host.BuildWorld();
        await Host.ApprovedCell("CA");
        await Expect(Host.Send(World.Evidence("FR", new DateOnly(2024, 7, 12)), World.Analyst, World.AnalystRoles)); // no approval: never stale

        var v2 = World.Rubric19 with { Zero = "Strong action in one to three dimensions, or weak action in at least two." };
        await Expect(Host.Send(new ReviseRubric(World.Cycle, World.C19, v2, "Prose says at least two."), World.Lead, World.LeadRoles));
        var first = Assert.Single(await WebhookTests.Received(receiver, 1, "the stale notice after the revision"));
        var stale = JsonDocument.Parse(first.Body).RootElement;
        Assert.Equal("CA", stale.GetProperty("memberCode").GetString());
        Assert.Equal("p1", stale.GetProperty("proposalId").GetString());
        Assert.Equal("rubric-revised: approved under version 1, current version 2", stale.GetProperty("reason").GetString());

        AmendEvidence Amend(string reason) => new(World.Cycle, World.C19, "CA", "e1", new DateOnly(2024, 7, 12), "Re-read.", [World.Cbcf], reason,
            ["prevent"], Strength.Weak);
        await Expect(Host.Send(Amend("Only one dimension"), World.Analyst, World.AnalystRoles));
        var notices = await WebhookTests.Received(receiver, 2, "the stale notice after the amendment");
        Assert.Equal("evidence-amended: e1", JsonDocument.Parse(notices[1].Body).RootElement.GetProperty("reason").GetString());

        // The approval is already stale on e1: a second amendment announces nothing new.
        await Expect(Host.Send(Amend("Typo"), World.Analyst, World.AnalystRoles));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(2, await Host.Outbound("ApprovalWentStaleV1"));

        // In the outbound queue, in the order a consumer reads it: each notice after the event that caused it.
        var outbound = (await Host.OutboundMessages()).Where(m => m.MessageType is "RubricRevisedV1" or "ApprovalWentStaleV1").ToList();
        Assert.Equal(["RubricRevisedV1", "ApprovalWentStaleV1", "ApprovalWentStaleV1"], outbound.Select(m => m.MessageType));
        Assert.Equal(outbound[0].Sequence, outbound[1].Sequence);
        Assert.True(outbound[2].Sequence > outbound[1].Sequence);
        Assert.Equal("evidence-amended: e1", outbound[2].Body.GetProperty("reason").GetString());
    }
}
