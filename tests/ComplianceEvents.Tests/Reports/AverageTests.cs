using ComplianceEvents.Reports;

namespace ComplianceEvents.Tests.Reports;

/// <summary>DESIGN 1.2 rules 3 and 4: exact averages, sign and two decimals half away from zero, percent from the exact value.</summary>
public sealed class AverageTests
{
    private static Average Of(params int[] scores) => Average.Of(scores);

    [Fact]
    public void three_eighths_is_plus_0_38_and_69_percent() =>
        Assert.Equal("+0.38 (69%)", Of(0, 0, 0, 0, 0, 1, 1, 1).DisplayWithPercent);

    [Fact]
    public void four_eighths_is_plus_0_50_and_75_percent() =>
        Assert.Equal("+0.50 (75%)", Of(0, 1, 1, 0, 0, 1, 0, 1).DisplayWithPercent);

    [Theory]
    [InlineData(1, "+0.13 (56%)")]   // 0.125 -> 0.13; 56.25 -> 56
    [InlineData(5, "+0.63 (81%)")]   // 0.625 -> 0.63; 81.25 -> 81
    [InlineData(-1, "-0.13 (44%)")]  // -0.125 -> -0.13; 43.75 -> 44
    [InlineData(-5, "-0.63 (19%)")]
    [InlineData(3, "+0.38 (69%)")]   // 68.75 -> 69
    [InlineData(0, "0.00 (50%)")]
    [InlineData(8, "+1.00 (100%)")]
    [InlineData(-8, "-1.00 (0%)")]
    public void eighths_round_half_away_from_zero(int sum, string expected) =>
        Assert.Equal(expected, new Average(sum, 8).DisplayWithPercent);

    [Fact]
    public void x_xx5_rounds_away_from_zero_exactly() // 1/40 = 0.025, percent 51.25
    {
        Assert.Equal("+0.03", new Average(1, 40).Display);
        Assert.Equal("-0.03", new Average(-1, 40).Display);
        Assert.Equal(51, new Average(1, 40).Percent);
        Assert.Equal(53, new Average(1, 20).Percent); // 52.5 -> 53
        Assert.Equal(48, new Average(-1, 20).Percent); // 47.5 -> 48
    }

    [Fact]
    public void thirds_are_not_disturbed_by_binary_fractions()
    {
        Assert.Equal("+0.33 (67%)", new Average(1, 3).DisplayWithPercent);
        Assert.Equal("-0.67 (17%)", new Average(-2, 3).DisplayWithPercent);
    }

    [Fact]
    public void no_applicable_score_has_no_average() => Assert.Equal("N/A", Of().DisplayWithPercent);

    [Fact]
    public void nine_members_with_russia_average_over_nine() =>
        Assert.Equal("+0.44 (72%)", Of(1, 1, 1, 0, 0, 1, 0, 0, 0).DisplayWithPercent); // 4/9 = 0.444..., 72.2
}
