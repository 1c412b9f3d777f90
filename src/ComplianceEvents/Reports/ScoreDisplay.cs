using System.Globalization;
using ComplianceEvents.Assessments;

namespace ComplianceEvents.Reports;

/// <summary>
/// DESIGN 1.2 rule 4, the display rule, in one place: averages with sign and two decimals, half away from zero; the percentage
/// from the exact average; cells as +1, 0, -1, N/A or blank. Every table, format and endpoint prints through here.
/// </summary>
public readonly partial record struct Average
{
    /// <summary>Sign and two decimals, half away from zero: 3/8 -> "+0.38"; "N/A" without scores.</summary>
    public string Display => Value is { } v ? Signed(Math.Round(v, 2, MidpointRounding.AwayFromZero)) : "N/A";

    /// <summary>(average + 1) / 2 x 100 from the exact average, whole number half away from zero: 3/8 -> 69.</summary>
    public int? Percent => Count == 0 ? null : (int)Math.Round(50m * (Sum + Count) / Count, 0, MidpointRounding.AwayFromZero);

    /// <summary>"+0.38 (69%)", as the 2024 report prints its averages.</summary>
    public string DisplayWithPercent => Count == 0 ? "N/A" : $"{Display} ({Percent}%)";

    private static string Signed(decimal rounded) =>
        (rounded > 0 ? "+" : "") + rounded.ToString("0.00", CultureInfo.InvariantCulture);
}

public static class ScoreDisplay
{
    /// <summary>A Table B cell: "N/A" when the commitment does not apply, the score as "+1", "0", "-1", or blank when none.</summary>
    public static string Cell(bool notApplicable, int? score) => notApplicable ? "N/A" : score is { } s ? Scores.Format(s) : "";
}
