using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Assessments.RejectingScore;
using ComplianceEvents.Assessments.ReturningProposal;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Tests.Commitments;

namespace ComplianceEvents.Tests.Assessments;

/// <summary>Pending -> approved | returned | rejected, decided by the pure handler functions on hand-built state.</summary>
public sealed class ProposalStateMachineTests
{
    private static readonly DateTimeOffset Now = new(2024, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Actor Analyst = new("tiantian", [Roles.Analyst]);
    private static readonly Actor Lead = new("anali", [Roles.LeadAnalyst]);

    private static readonly Cycle Apulia = Cycle.Create(new CycleOpened("2024-apulia", "G7 Apulia", "Apulia", "Italy",
        new(2024, 6, 13), new(2024, 6, 15), [new("CA", "Canada"), new("EU", "European Union")]));

    private static readonly Commitment C19 = Commitment.Create(new CommitmentSelected("2024-apulia", "19", 19, "Migration", "Smuggling", "text", "source",
        [], [], [new("prevent", "Prevent"), new("counter", "Counter"), new("dismantle", "Dismantle"), new("disrupt", "Disrupt")], [], [], "anali", "michal"))
        .Apply(new RubricPublished("2024-apulia", "19", DimensionRulesTests.Apulia19));

    private static Assessment Fresh() => Assessment.Create(new AssessmentOpened("2024-apulia", "19", "CA"))
        .Apply(new EvidenceRecorded("e1", new(2024, 7, 12), "On 12 July 2024, ...", ["prevent"], Strength.Strong, [], []));

    private static Cell CellOf(Assessment? state, Actor actor) => new(Apulia, C19, "CA", state, actor, Now);

    private static Assessment Apply(Assessment state, Decision decision) =>
        decision.Events.Aggregate(state, (s, e) => e switch
        {
            ScoreProposed x => s.Apply(x), ScoreApproved x => s.Apply(x), ProposalReturned x => s.Apply(x), ScoreRejected x => s.Apply(x),
            _ => throw new InvalidOperationException(e.GetType().Name),
        });

    private static readonly ProposeScore Propose = new("2024-apulia", "19", "CA", 0, "Partial.", ["e1"], 1);

    private static Assessment Proposed()
    {
        var decision = ProposeScoreHandler.Decide(Propose, CellOf(Fresh(), Analyst));
        Assert.Null(decision.Violation);
        return Apply(Fresh(), decision);
    }

    [Fact]
    public void a_proposal_is_pending_with_its_suggestion_and_a_second_is_refused()
    {
        var state = Proposed();
        Assert.Equal(("p1", ProposalStatus.Pending, 0), (state.Pending!.ProposalId, state.Pending.Status, state.Pending.SuggestedScore));
        Assert.Equal("proposal-pending", ProposeScoreHandler.Decide(Propose, CellOf(state, Analyst)).Violation?.Rule);
    }

    [Fact]
    public void approving_records_who_and_when_and_makes_the_score_count()
    {
        var approved = Apply(Proposed(), ApproveScoreHandler.Decide(new("2024-apulia", "19", "CA", "p1"), CellOf(Proposed(), Lead)));
        Assert.Null(approved.Pending);
        var a = approved.Approved!;
        Assert.Equal(("p1", 0, 1, "tiantian", "anali", Now), (a.ProposalId, a.Score, a.RubricVersion, a.ProposedBy, a.ApprovedBy, a.ApprovedAt));
        Assert.Equal(["e1"], a.EvidenceIds);
        Assert.Equal("proposal-not-pending", ApproveScoreHandler.Decide(new("2024-apulia", "19", "CA", "p1"), CellOf(approved, Lead)).Violation?.Rule);
    }

    [Fact]
    public void a_returned_proposal_frees_the_cell_for_a_new_proposal()
    {
        var returned = Apply(Proposed(), ReturnProposalHandler.Decide(new("2024-apulia", "19", "CA", "p1", "More evidence"), CellOf(Proposed(), Lead)));
        Assert.Equal(ProposalStatus.Returned, returned.Proposals[0].Status);
        var again = ProposeScoreHandler.Decide(Propose, CellOf(returned, Analyst));
        Assert.Equal("p2", Assert.IsType<ScoreProposed>(Assert.Single(again.Events)).ProposalId);
    }

    [Fact]
    public void a_rejected_proposal_cannot_then_be_approved()
    {
        var rejected = Apply(Proposed(), RejectScoreHandler.Decide(new("2024-apulia", "19", "CA", "p1", "No"), CellOf(Proposed(), Lead)));
        Assert.Equal(ProposalStatus.Rejected, rejected.Proposals[0].Status);
        Assert.Null(rejected.Approved);
        Assert.Equal("proposal-not-pending", ApproveScoreHandler.Decide(new("2024-apulia", "19", "CA", "p1"), CellOf(rejected, Lead)).Violation?.Rule);
    }

    [Fact]
    public void the_proposer_never_reviews_their_own_proposal_whatever_roles_they_hold()
    {
        var proposer = new Actor("tiantian", [Roles.Analyst, Roles.LeadAnalyst, Roles.ComplianceDirector]);
        foreach (var decision in new[]
        {
            ApproveScoreHandler.Decide(new("2024-apulia", "19", "CA", "p1"), CellOf(Proposed(), proposer)),
            ReturnProposalHandler.Decide(new("2024-apulia", "19", "CA", "p1", "x"), CellOf(Proposed(), proposer)),
            RejectScoreHandler.Decide(new("2024-apulia", "19", "CA", "p1", "x"), CellOf(Proposed(), proposer)),
        })
            Assert.Equal((Outcome.Forbidden, "separation-of-duties"), (decision.Violation?.Outcome, decision.Violation?.Rule));
    }

    [Fact]
    public void a_plain_analyst_cannot_review()
    {
        var decision = ApproveScoreHandler.Decide(new("2024-apulia", "19", "CA", "p1"), CellOf(Proposed(), new Actor("ryan", [Roles.Analyst])));
        Assert.Equal("reviewer-required", decision.Violation?.Rule);
    }

    [Fact]
    public void amending_approved_evidence_marks_the_approval_stale()
    {
        var approved = Apply(Proposed(), ApproveScoreHandler.Decide(new("2024-apulia", "19", "CA", "p1"), CellOf(Proposed(), Lead)));
        var amended = approved.Apply(new EvidenceAmended("e1", new(2024, 7, 12), "corrected", ["prevent"], Strength.Strong, [], "typo", []));
        Assert.Equal(["evidence-amended: e1"], amended.StaleReasons(C19));
        var withdrawn = approved.Apply(new EvidenceWithdrawn("e1", "wrong"));
        Assert.Equal(["evidence-withdrawn: e1"], withdrawn.StaleReasons(C19));
    }
}
