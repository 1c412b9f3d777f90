using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Commitments;
using ComplianceEvents.Commitments.RevisingRubric;
using ComplianceEvents.IntegrationTests.WriteSide;
using ComplianceEvents.Integration.DetectingStaleApprovals;
using Marten;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>
/// Integration events reach the outbound queue in causal order, an effect never before its cause: a rubric's
/// stale notices after its RubricRevisedV1, and a notice never before the ScoreApprovedV1 of the approval it names, whoever
/// else writes meanwhile. Read as a consumer reads the queue (its arrival timestamp).
/// </summary>
public sealed class CausalOrderTests(AppFixture app) : HostTest(app)
{
    private IntegrationHost Host => For(App);
    private static readonly RubricInput V2 = World.Rubric19 with { Zero = "Strong action in one to three dimensions, or weak in two." };
    private static ReviseRubric Revision => new(World.Cycle, World.C19, V2, "Prose says at least two.");

    [Fact]
    public async Task a_revision_announces_only_what_was_approved_before_it_and_later_outdated_approvals_announce_themselves()
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();
        await Host.ApprovedCell("CA");
        await Host.ApprovedCell("FR");

        await Expect(Host.Send(Revision, World.Lead, World.LeadRoles));
        // After the revision, DE approved and CA re-approved, both under version 1 (outdated, so stale from the start).
        await ApproveUnderVersion1("DE", "p1", recordEvidence: true);
        await ApproveUnderVersion1("CA", "p2", recordEvidence: false);

        var queue = await OutboundOrder.Drained(Host);
        OutboundOrder.AssertCausal(queue);
        OutboundOrder.AssertDocumented(queue);
        Assert.Equal([
                ("CA", "p1", "rubric-revised: approved under version 1, current version 2"),
                ("FR", "p1", "rubric-revised: approved under version 1, current version 2"),
                ("DE", "p1", "rubric-revised: approved under version 1, current version 2"),
                ("CA", "p2", "rubric-revised: approved under version 1, current version 2"),
            ],
            queue.Where(m => m.MessageType == "ApprovalWentStaleV1").Select(m => (Text(m, "memberCode"), Text(m, "proposalId"),
                Text(m, "reason"))));
        // The revision's notices are numbered after it; each approval's notice right after that approval.
        var revision = Assert.Single(queue, m => m.MessageType == "RubricRevisedV1");
        Assert.Equal([0, 1, 2], queue.Where(m => m.Sequence == revision.Sequence).Select(m => m.Body.GetProperty("index").GetInt32()));
        var lateProposal = queue.Last(m => m.MessageType == "ScoreProposedV1");
        Assert.Equal(["outdated-rubric: proposed under version 1, current version 2"],
            lateProposal.Body.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));

        // Decided again now, when the snapshots hold what came after the revision (the publisher may meet it so at any time):
        // still what was approved before it, never the approvals stored later.
        await using var session = Host.Store.QuerySession();
        var stored = await session.Events.QueryAllRawEvents().Where(e => e.EventTypeName == "rubric_revised").SingleAsync();
        Assert.Equal([("CA", "p1"), ("FR", "p1")], (await StaleApprovalNotices.After(stored, session, default))
            .Select(n => (n.MemberCode, n.ProposalId)));
    }

    [Fact]
    public async Task writers_overlapping_a_revision_never_get_a_notice_before_its_cause_and_every_outdated_approval_is_named_once()
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();
        await Host.ApprovedCell("CA");
        string[] members = ["DE", "IT", "JP", "UK", "US", "EU"];

        // Six cells approved under version 1 while the rubric is revised: each lands before or after the revision.
        await Task.WhenAll([
            Task.Run(() => Expect(Host.Send(Revision, World.Lead, World.LeadRoles))),
            ..members.Select(m => Task.Run(() => ApproveUnderVersion1(m, "p1", recordEvidence: true))),
        ]);

        var queue = await OutboundOrder.Drained(Host);
        OutboundOrder.AssertCausal(queue);
        // Each approval under version 1 is announced stale exactly once: by the revision if it came first, else by itself.
        var approvals = queue.Where(m => m.MessageType == "ScoreApprovedV1").Select(m => (Text(m, "memberCode"), Text(m, "proposalId")));
        var notices = queue.Where(m => m.MessageType == "ApprovalWentStaleV1").Select(m => (Text(m, "memberCode"), Text(m, "proposalId")));
        Assert.Equal(approvals.Order(), notices.Order());
        Assert.Equal(members.Length + 1, notices.Count());
    }

    private async Task ApproveUnderVersion1(string member, string proposalId, bool recordEvidence)
    {
        if (recordEvidence)
            await Expect(Host.Send(World.Evidence(member, new DateOnly(2024, 7, 12), Assessments.Strength.Strong, "prevent"), World.Analyst,
                World.AnalystRoles));
        ProposeScore proposal = World.Proposal(member, 0, "e1");
        await Expect(Host.Send(proposal, World.Analyst, World.AnalystRoles));
        await Expect(Host.Send(new ApproveScore(World.Cycle, World.C19, member, proposalId), World.Lead, World.LeadRoles));
    }

    private static string Text(OutboundMessage m, string property) => m.Body.GetProperty(property).GetString()!;
}
