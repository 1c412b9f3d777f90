using System.Globalization;

namespace ComplianceEvents.Reports;

/// <summary>
/// An exact average of -1/0/+1 scores, kept as sum and count (DESIGN 1.2 rule 3: never double).
/// N/A cells are simply not added: they leave the denominator.
/// </summary>
public readonly record struct Average(int Sum, int Count)
{
    public static Average Of(IEnumerable<int> scores) =>
        scores.Aggregate(new Average(0, 0), (a, s) => new Average(a.Sum + s, a.Count + 1));

    public bool HasValue => Count > 0;

    /// <summary>The exact value; decimal division is exact wherever the value terminates, so x.xx5 cases round correctly.</summary>
    public decimal? Value => Count == 0 ? null : (decimal)Sum / Count;

    /// <summary>DESIGN 1.2 rule 4: sign and two decimals, half away from zero: 3/8 -> "+0.38".</summary>
    public string Display => Value is { } v ? Signed(Math.Round(v, 2, MidpointRounding.AwayFromZero)) : "N/A";

    /// <summary>(average + 1) / 2 x 100 from the exact average, whole number half away from zero: 3/8 -> 69.</summary>
    public int? Percent => Count == 0 ? null : (int)Math.Round(50m * (Sum + Count) / Count, 0, MidpointRounding.AwayFromZero);

    /// <summary>"+0.38 (69%)", as the 2024 report prints its averages.</summary>
    public string DisplayWithPercent => Count == 0 ? "N/A" : $"{Display} ({Percent}%)";

    private static string Signed(decimal rounded) =>
        (rounded > 0 ? "+" : "") + rounded.ToString("0.00", CultureInfo.InvariantCulture);
}
