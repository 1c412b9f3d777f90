using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.IntegrationTests.WriteSide;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>A queue allowed to approve still goes through the review rules: reviewer role, and never its own proposal (DESIGN 1.2 rule 10).</summary>
public sealed class ApprovingQueueTests(AppFixture app) : HostTest(app)
{
    private IntegrationHost Host => Approving(App);

    private async Task<IReadOnlyList<JasperFx.Events.IEvent>> Cell(string member)
    {
        await using var session = Host.Store.QuerySession();
        return await session.Events.FetchStreamAsync(Assessment.StreamKey(World.Cycle, World.C19, member));
    }

    [Fact]
    public async Task an_allowed_queue_approves_as_its_identity_but_never_what_it_proposed()
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();
        await Expect(Host.Send(World.Evidence("CA", new DateOnly(2024, 7, 12)), World.Analyst, World.AnalystRoles));
        await Expect(Host.Send(World.Proposal("CA", 0, "e1"), World.Analyst, World.AnalystRoles));

        await Host.SendToQueue(new ApproveScore(World.Cycle, World.C19, "CA", "p1"), forgedUser: World.Analyst);
        var approved = await Eventually(() => Cell("CA"), es => es.Any(e => e.Data is ScoreApproved), "the queued approval");
        Assert.Equal(PipelineLead, approved.Select(e => e.Data).OfType<ScoreApproved>().Single().ApprovedBy);

        // The pipeline proposes for DE through the queue, then tries to approve its own proposal.
        await Host.SendToQueue(World.Evidence("DE", new DateOnly(2024, 7, 12)));
        await Host.SendToQueue(World.Proposal("DE", 1, "e1"));
        await Host.SendToQueue(new ApproveScore(World.Cycle, World.C19, "DE", "p1"));
        var entry = await Eventually(() => Task.FromResult(Host.Logs.Entries.FirstOrDefault(e => e.Message.Contains("Queued command ApproveScore "))),
            e => e.Message is not null, "the refusal of the self-approval");
        Assert.Contains("Forbidden separation-of-duties", entry.Message);
        Assert.Equal(["AssessmentOpened", "EvidenceRecorded", "ScoreProposed"], (await Cell("DE")).Select(e => e.Data.GetType().Name));
    }
}
