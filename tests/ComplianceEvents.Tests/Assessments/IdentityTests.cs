using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Assessments.RejectingScore;
using ComplianceEvents.Assessments.ReturningProposal;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Tests.Assessments;

/// <summary>DESIGN 1.2 rule 10: user ids compare in one normalised form, and nobody named on a proposal reviews it.</summary>
public sealed class IdentityTests
{
    private static readonly DateTimeOffset Now = new(2024, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly Cycle Apulia = Cycle.Create(new CycleOpened("2024-apulia", "G7 Apulia", "Apulia", "Italy",
        new(2024, 6, 13), new(2024, 6, 15), [new("CA", "Canada")]));

    private static readonly Commitment C19 = Commitment.Create(new CommitmentSelected("2024-apulia", "19", 19, "Migration", "Smuggling",
        "text",
            "source", [], [], [], [], [], "anali", "michal"))
        .Apply(new RubricPublished("2024-apulia", "19", new Rubric(1, "No action.", "Partial.", "Full.", [])));

    /// <summary>A pending proposal as stored, possibly before ids were normalised (mixed case, no Analysts on old events).</summary>
    private static Assessment Pending(string proposedBy, IReadOnlyList<string>? analysts) =>
        Assessment.Create(new AssessmentOpened("2024-apulia", "19", "CA"))
            .Apply(new ScoreProposed("p1", 0, "Partial.", [], 1, proposedBy, Now, null, [], analysts));

    private static IEnumerable<Decision> Reviews(Assessment state, Actor actor)
    {
        var cell = new Cell(Apulia, C19, "CA", state, actor, Now);
        yield return ApproveScoreHandler.Decide(new("2024-apulia", "19", "CA", "p1"), cell);
        yield return ReturnProposalHandler.Decide(new("2024-apulia", "19", "CA", "p1", "x"), cell);
        yield return RejectScoreHandler.Decide(new("2024-apulia", "19", "CA", "p1", "x"), cell);
    }

    [Theory]
    [InlineData("both", "Both")]
    [InlineData("Both", "  BOTH ")]
    [InlineData("TianTian Dong", "tiantian dong")]
    public void a_proposer_under_another_case_or_with_spaces_is_still_the_proposer(string proposedBy, string reviewer)
    {
        var actor = new Actor(reviewer, [Roles.ComplianceDirector]);
        Assert.All(Reviews(Pending(proposedBy, null), actor),
            d => Assert.Equal((Outcome.Forbidden, "separation-of-duties"), (d.Violation?.Outcome, d.Violation?.Rule)));
    }

    [Fact]
    public void a_co_analyst_named_on_the_proposal_cannot_review_it_whatever_roles_they_hold()
    {
        var coAnalyst = new Actor("Ryan", [Roles.ComplianceDirector, Roles.LeadAnalyst]);
        Assert.All(Reviews(Pending("tiantian", ["tiantian", "ryan"]), coAnalyst),
            d => Assert.Equal((Outcome.Forbidden, "separation-of-duties"), (d.Violation?.Outcome, d.Violation?.Rule)));
        // Someone not named on it may.
        Assert.All(Reviews(Pending("tiantian", ["tiantian", "ryan"]), new Actor("michal", [Roles.ComplianceDirector])), d
            => Assert.Null(d.Violation));
    }

    [Fact]
    public void the_lead_analyst_named_in_another_case_is_still_the_commitments_reviewer()
    {
        var lead = new Actor(" ANALI", [Roles.Analyst]);
        Assert.All(Reviews(Pending("tiantian", null), lead), d => Assert.Null(d.Violation));
        Assert.Equal("ANALI", lead.UserId);
    }

    [Fact]
    public void a_proposal_names_its_co_analysts_normalised_once_without_repeating_the_proposer()
    {
        var state = Assessment.Create(new AssessmentOpened("2024-apulia", "19", "CA"));
        var decision = ProposeScoreHandler.Decide(new("2024-apulia", "19", "CA", 0, "Partial.", [], 1, CoAnalysts: [" Tiantian ", "ryan ",
            "Ryan"]),
            new Cell(Apulia, C19, "CA", state, new Actor(" tiantian ", [Roles.Analyst]), Now));
        var proposed = Assert.IsType<ScoreProposed>(Assert.Single(decision.Events));
        Assert.Equal("tiantian", proposed.ProposedBy);
        Assert.Equal(["tiantian", "ryan"], proposed.Analysts);
    }

    [Theory]
    [InlineData(" anali ", "anali")]
    [InlineData("Anali", "anali")]
    public void every_actor_is_made_with_its_id_normalised_and_keyed_in_one_form(string given, string other)
    {
        var actor = new Actor(given, []);
        Assert.Equal(given.Trim(), actor.UserId);
        Assert.Equal(UserIds.Key(other), UserIds.Key(actor.UserId));
        Assert.True(UserIds.Same(given, other));
        Assert.False(UserIds.Same("anali", "anal"));
    }
}
