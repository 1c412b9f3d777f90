using System.Text.Json.Serialization;
using ComplianceEvents.Benchmarks.Measuring;

namespace ComplianceEvents.Benchmarks.Output;

/// <summary>A target of issue 8: a bound on the ratio (this project / raw, same run), higher or lower being better.</summary>
public sealed record Target(double Must, double? Stretch, bool HigherIsBetter, string Text)
{
    public bool Meets(double ratio) => HigherIsBetter ? ratio >= Must : ratio <= Must;
    public bool? MeetsStretch(double ratio) => Stretch is not { } s ? null : HigherIsBetter ? ratio >= s : ratio <= s;

    public static Target AtLeast(double must, double? stretch) =>
        new(must, stretch, true, $">= {Pct(must)}" + (stretch is { } s ? $" (stretch >= {Pct(s)})" : ""));

    private static string Pct(double x) => (x * 100).ToString("0", System.Globalization.CultureInfo.InvariantCulture) + "%";

    public static Target AtMost(double must, double? stretch, string what = "x raw") =>
        new(must, stretch, false, $"<= {must.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}{what}"
            + (stretch is { } s ? $" (stretch <= {s.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}{what})" : ""));
}

/// <summary>One row of docs/benchmarks.json: the fields issue 8 asks for first, then what explains the figure.</summary>
public sealed record Figure
{
    public required string Id { get; init; }
    public int? Concurrency { get; init; }
    public double? Value { get; init; }
    public required string Unit { get; init; }
    public double? Baseline { get; init; }
    public double? Ratio { get; init; }
    public string? Must { get; init; }
    public bool? Met { get; init; }

    public string? Variant { get; init; }
    public bool? StretchMet { get; init; }
    /// <summary>measured | measured-bench-side (the product lacks the feature; the bench supplies the missing part) | context (no target) | missing</summary>
    public string Status { get; init; } = "measured";
    public string Workload { get; init; } = "";
    public string BaselineWorkload { get; init; } = "";
    public double? P50Ms { get; init; }
    public double? P99Ms { get; init; }
    public double? BaselineP50Ms { get; init; }
    public double? BaselineP99Ms { get; init; }
    public int? Runs { get; init; }
    public int? OperationsPerRun { get; init; }
    public Cost? Explain { get; init; }
    public Cost? BaselineExplain { get; init; }
    /// <summary>Round trips per operation: Npgsql commands plus the COMMIT of explicit write transactions where the path uses them.</summary>
    public double? RoundTripsPerOp { get; init; }
    public double? BaselineRoundTripsPerOp { get; init; }
    public string? Notes { get; init; }

    [JsonIgnore]
    public string Key => Id + (Variant is null ? "" : $" [{Variant}]") + (Concurrency is { } c ? $" c{c}" : "");

    /// <summary>ratio = value / baseline: throughputs (higher is better) or times (lower is better), per the target.</summary>
    public static Figure Compare(string id, int? concurrency, string unit, double value, double baseline, Target target)
    {
        double? ratio = baseline > 0 && double.IsFinite(value) ? value / baseline : null;
        return new Figure
        {
            Id = id, Concurrency = concurrency, Unit = unit, Value = value, Baseline = baseline, Ratio = ratio,
            Must = target.Text, Met = ratio is { } r ? target.Meets(r) : null, StretchMet = ratio is { } s ? target.MeetsStretch(s) : null,
        };
    }
}
