using System.Text.Json.Serialization;
using ComplianceEvents.Assessments;

namespace ComplianceEvents.Commitments;

/// <summary>How many of a commitment's dimensions have strong, weak-only and contradictory evidence.</summary>
public sealed record DimensionCounts(int Strong, int Weak, int Contradictory)
{
    /// <summary>
    /// A dimension counts as strong when any of its evidence is strong, as weak when it has weak but no
    /// strong evidence; contradictory is counted on its own (DESIGN 1.2 rule 9). Unknown codes are ignored.
    /// </summary>
    public static DimensionCounts From(IEnumerable<string> dimensionCodes, IEnumerable<(IReadOnlyList<string> Dimensions, Strength? Strength)> evidence)
    {
        var codes = dimensionCodes.ToHashSet();
        var items = evidence.Where(e => e.Strength is not null).ToList();
        bool Has(string code, Strength s) => items.Any(e => e.Strength == s && e.Dimensions.Contains(code));
        return new DimensionCounts(
            codes.Count(c => Has(c, Strength.Strong)),
            codes.Count(c => !Has(c, Strength.Strong) && Has(c, Strength.Weak)),
            codes.Count(c => Has(c, Strength.Contradictory)));
    }
}

/// <summary>Bounds on the counts; a null bound does not constrain.</summary>
public sealed record DimensionCondition(int? MinStrong = null, int? MaxStrong = null, int? MinWeak = null, int? MaxWeak = null,
    int? MinContradictory = null, int? MaxContradictory = null)
{
    public bool Matches(DimensionCounts c) =>
        Within(c.Strong, MinStrong, MaxStrong) && Within(c.Weak, MinWeak, MaxWeak) && Within(c.Contradictory, MinContradictory, MaxContradictory);

    private static bool Within(int value, int? min, int? max) => (min is null || value >= min) && (max is null || value <= max);

    [JsonIgnore]
    public IEnumerable<(int? Min, int? Max, string Name)> Bounds =>
        [(MinStrong, MaxStrong, "strong"), (MinWeak, MaxWeak, "weak"), (MinContradictory, MaxContradictory, "contradictory")];
}

/// <summary>The score a rubric suggests when its condition holds; rules are tried in order, the first match wins.</summary>
public sealed record DimensionRule(int Score, DimensionCondition When, string? Note = null);

/// <summary>One version of a commitment's scoring guidelines (DESIGN 1.1 "rubric").</summary>
public sealed record Rubric(int Version, string Minus1, string Zero, string Plus1, IReadOnlyList<DimensionRule> DimensionRules)
{
    [JsonIgnore]
    public bool HasDimensionRules => DimensionRules.Count > 0;

    /// <summary>The score the dimension rules suggest, or null when the rubric has none or none matches.</summary>
    public int? Suggest(DimensionCounts counts) => DimensionRules.FirstOrDefault(r => r.When.Matches(counts))?.Score;

    public string Describe(int score) => score switch { -1 => Minus1, 0 => Zero, 1 => Plus1, _ => "" };
}
