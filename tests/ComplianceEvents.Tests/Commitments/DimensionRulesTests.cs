using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;

namespace ComplianceEvents.Tests.Commitments;

/// <summary>The 2024 Apulia #19 scoring guidelines (seed 004), as rubric version 1's table states them.</summary>
public sealed class DimensionRulesTests
{
    private static readonly string[] Dimensions = ["prevent", "counter", "dismantle", "disrupt"];

    public static readonly Rubric Apulia19 = new(1, "none, weak in one, or contradictory", "strong in one to three, or weak in at least three", "strong in all four",
    [
        new(-1, new DimensionCondition(MinContradictory: 1)),
        new(1, new DimensionCondition(MinStrong: 4)),
        new(0, new DimensionCondition(MinStrong: 1, MaxStrong: 3)),
        new(0, new DimensionCondition(MaxStrong: 0, MinWeak: 3)),
        new(-1, new DimensionCondition(MaxStrong: 0, MaxWeak: 2)),
    ]);

    private static int? Suggest(params (Strength s, string[] dims)[] evidence) =>
        Apulia19.Suggest(DimensionCounts.From(Dimensions, evidence.Select(e => ((IReadOnlyList<string>)e.dims, (Strength?)e.s))));

    [Fact]
    public void strong_action_in_all_four_dimensions_suggests_full_compliance() =>
        Assert.Equal(1, Suggest((Strength.Strong, ["prevent", "counter"]), (Strength.Strong, ["dismantle"]), (Strength.Strong, ["disrupt"])));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void strong_action_in_one_to_three_dimensions_suggests_partial_compliance(int n) =>
        Assert.Equal(0, Suggest(Dimensions.Take(n).Select(d => (Strength.Strong, new[] { d })).ToArray()));

    [Fact]
    public void weak_action_in_only_one_dimension_suggests_no_compliance() =>
        Assert.Equal(-1, Suggest((Strength.Weak, ["counter"]), (Strength.Weak, ["counter"])));

    [Fact]
    public void no_action_suggests_no_compliance() => Assert.Equal(-1, Suggest());

    [Fact]
    public void a_contradictory_action_suggests_no_compliance_whatever_else() =>
        Assert.Equal(-1, Suggest((Strength.Strong, Dimensions), (Strength.Contradictory, ["disrupt"])));

    [Fact]
    public void weak_action_in_three_dimensions_is_partial_under_the_table_and_two_is_not()
    {
        Assert.Equal(0, Suggest((Strength.Weak, ["prevent", "counter", "dismantle"])));
        Assert.Equal(-1, Suggest((Strength.Weak, ["prevent", "counter"])));
    }

    [Fact]
    public void a_revision_following_the_prose_makes_weak_action_in_two_dimensions_partial()
    {
        var v2 = Apulia19 with
        {
            Version = 2,
            DimensionRules = [.. Apulia19.DimensionRules.Take(3), new(0, new DimensionCondition(MaxStrong: 0, MinWeak: 2)), new(-1, new DimensionCondition(MaxStrong: 0, MaxWeak: 1))],
        };
        var counts = DimensionCounts.From(Dimensions, [(["prevent", "counter"], Strength.Weak)]);
        Assert.Equal((-1, 0), (Apulia19.Suggest(counts), v2.Suggest(counts)));
    }

    [Fact]
    public void a_dimension_with_strong_evidence_is_not_also_counted_weak_and_ungraded_evidence_is_ignored()
    {
        var counts = DimensionCounts.From(Dimensions,
            [(["prevent"], Strength.Strong), (["prevent", "counter"], Strength.Weak), (["dismantle"], null), (["teleport"], Strength.Strong)]);
        Assert.Equal(new DimensionCounts(1, 1, 0), counts);
    }

    [Fact]
    public void a_rubric_without_dimension_rules_suggests_nothing() =>
        Assert.Null((Apulia19 with { DimensionRules = [] }).Suggest(new DimensionCounts(4, 0, 0)));
}
