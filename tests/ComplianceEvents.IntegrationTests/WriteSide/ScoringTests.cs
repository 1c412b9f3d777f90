using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.AmendingEvidence;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.GettingAssessment;
using ComplianceEvents.Assessments.RejectingScore;
using ComplianceEvents.Assessments.ReturningProposal;
using ComplianceEvents.Assessments.WithdrawingEvidence;
using ComplianceEvents.Commitments.ChangingApplicability;
using ComplianceEvents.Commitments.RevisingRubric;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.IntegrationTests.WriteSide;

public sealed class ScoringTests(AppFixture app) : WriteSideTest(app)
{
    private static readonly DateOnly Jul12 = new(2024, 7, 12);

    [Fact]
    public async Task a_proposal_is_checked_against_evidence_rubric_applicability_and_pending_state()
    {
        await World.Build();
        await World.Expect(World.AsAnalyst(World.Evidence("CA", Jul12, Strength.Strong, "prevent")));
        await World.Expect(World.AsAnalyst(World.Evidence("CA", Jul12, Strength.Weak, "counter")));
        await World.Expect(World.AsAnalyst(new WithdrawEvidence(World.Cycle, World.C19, "CA", "e2", "Wrong member")));

        await Refused(() => World.AsAnalyst(World.Proposal("CA", 0, "e1", "e7")), Outcome.Rejected, "evidence-not-in-assessment");
        await Refused(() => World.AsAnalyst(World.Proposal("CA", 0, "e1", "e2")), Outcome.Rejected, "evidence-withdrawn");
        await Refused(() => World.AsAnalyst(World.Proposal("CA", 0, "e1") with { RubricVersion = 2 }), Outcome.Rejected, "rubric-version-unknown");
        await Refused(() => World.AsAnalyst(World.Proposal("CA", 2, "e1")), Outcome.Invalid, "validation");
        await Refused(() => App.Send(World.Proposal("CA", 0, "e1"), "victor", [Roles.Viewer]), Outcome.Forbidden, "role-required");

        var proposed = await World.Expect(World.AsAnalyst(World.Proposal("CA", 0, "e1")));
        Assert.Equal("p1", proposed.ResourceId);
        await Refused(() => World.AsAnalyst(World.Proposal("CA", 1, "e1"), World.OtherAnalyst), Outcome.Conflict, "proposal-pending");

        await World.Expect(World.AsLead(new MarkMemberNotApplicable(World.Cycle, World.C19, "FR", "Not party")));
        await Refused(() => World.AsAnalyst(World.Proposal("FR", 0)), Outcome.Rejected, "member-not-applicable");
    }

    [Fact]
    public async Task approval_needs_a_reviewer_of_the_commitment_who_did_not_propose()
    {
        await World.Build();
        await World.Expect(World.AsAnalyst(World.Evidence("CA", Jul12, Strength.Strong, "prevent")));
        // The lead analyst proposes, holding every role: still cannot approve their own proposal.
        await World.Expect(App.Send(World.Proposal("CA", 0, "e1"), World.Lead, [Roles.LeadAnalyst, Roles.ComplianceDirector]));
        var approve = new ApproveScore(World.Cycle, World.C19, "CA", "p1");

        await Refused(() => App.Send(approve, World.Lead, [Roles.LeadAnalyst, Roles.ComplianceDirector]), Outcome.Forbidden, "separation-of-duties");
        await Refused(() => World.AsAnalyst(approve, World.OtherAnalyst), Outcome.Forbidden, "reviewer-required");
        await Refused(() => App.Send(approve, "zoe", [Roles.LeadAnalyst]), Outcome.Forbidden, "reviewer-required");
        await Refused(() => World.AsDirector(approve with { ProposalId = "p9" }), Outcome.NotFound, "proposal-not-found");

        // A lead analyst scoped to this commitment may approve.
        var approved = await World.Expect(App.Send(approve, "zoe", [Roles.Scoped(Roles.LeadAnalyst, World.Cycle, World.C19)]));
        var cell = await LoadAssessment();
        Assert.Equal(0, cell.Approved?.Score);
        Assert.Equal(("zoe", World.Lead), (cell.Approved!.ApprovedBy, cell.Approved.ProposedBy));
        Assert.Null(cell.Pending);
        await Refused(() => World.AsDirector(approve), Outcome.Conflict, "proposal-not-pending");
        Assert.Equal("p1", approved.ResourceId);
    }

    [Fact]
    public async Task returned_and_rejected_proposals_need_reasons_and_leave_the_approved_score_in_force()
    {
        await World.Build();
        await World.ApprovedCell("CA");
        await World.Expect(World.AsAnalyst(World.Proposal("CA", 1, "e1")));
        await Refused(() => World.AsLead(new ReturnProposal(World.Cycle, World.C19, "CA", "p2", "")), Outcome.Invalid, "validation");
        await World.Expect(World.AsLead(new ReturnProposal(World.Cycle, World.C19, "CA", "p2", "Cite the second action.")));
        await World.Expect(World.AsAnalyst(World.Proposal("CA", 1, "e1")));
        await Refused(() => World.AsLead(new RejectScore(World.Cycle, World.C19, "CA", "p3", "")), Outcome.Invalid, "validation");
        await World.Expect(World.AsLead(new RejectScore(World.Cycle, World.C19, "CA", "p3", "One strong dimension is not full compliance.")));

        var cell = await LoadAssessment();
        Assert.Equal([ProposalStatus.Approved, ProposalStatus.Returned, ProposalStatus.Rejected], cell.Proposals.Select(p => p.Status));
        Assert.Equal(("p1", 0), (cell.Approved!.ProposalId, cell.Approved.Score));
        Assert.Equal("Cite the second action.", cell.Proposals[1].ReviewNote);
    }

    [Fact]
    public async Task an_approval_goes_stale_when_its_evidence_changes_or_the_rubric_is_revised()
    {
        await World.Build();
        await World.ApprovedCell("CA");
        await using (var s = App.Store.QuerySession())
            Assert.False((await GetAssessmentQuery.Load(s, World.Cycle, World.C19, "CA", default))!.Stale);

        await World.Expect(World.AsAnalyst(new AmendEvidence(World.Cycle, World.C19, "CA", "e1", Jul12, "On 12 July 2024, corrected.",
            [World.Cbcf], "Date typo", ["prevent"], Strength.Strong)));
        await World.Expect(World.AsDirector(new ReviseRubric(World.Cycle, World.C19, World.Rubric19 with { Plus1 = "All four, strongly." }, "Wording")));

        await using var session = App.Store.QuerySession();
        var view = (await GetAssessmentQuery.Load(session, World.Cycle, World.C19, "CA", default))!;
        Assert.True(view.Stale);
        Assert.Contains(view.StaleReasons, r => r.StartsWith("evidence-amended: e1"));
        Assert.Contains(view.StaleReasons, r => r.StartsWith("rubric-revised: approved under version 1, current version 2"));
        Assert.Equal(0, view.ApprovedScore); // a revision never rescores (DESIGN 1.2 rule 8)
    }

    [Fact]
    public async Task a_proposal_that_disagrees_with_the_dimension_rules_is_accepted_and_flagged()
    {
        await World.Build();
        foreach (var d in new[] { "prevent", "counter", "dismantle", "disrupt" })
            await World.Expect(World.AsAnalyst(World.Evidence("UK", Jul12, Strength.Strong, d)));
        var result = await World.Expect(World.AsAnalyst(World.Proposal("UK", 0, "e1", "e2", "e3", "e4")));
        Assert.Contains(result.Flags, f => f.StartsWith("disagrees-with-rubric") && f.EndsWith("+1"));
        var pending = (await LoadAssessment("UK")).Pending!;
        Assert.Equal(1, pending.SuggestedScore);
        Assert.NotEmpty(pending.Flags);
    }

    [Fact]
    public async Task a_stale_expected_version_is_a_conflict()
    {
        await World.Build();
        await World.Expect(World.AsAnalyst(World.Evidence("CA", Jul12)));
        var cell = await LoadAssessment();
        await Refused(() => World.AsAnalyst(World.Proposal("CA", 0, "e1") with { ExpectedVersion = cell.Version - 1 }), Outcome.Conflict, "stream-version");
        await World.Expect(World.AsAnalyst(World.Proposal("CA", 0, "e1") with { ExpectedVersion = cell.Version }));
    }
}
