using ComplianceEvents.Benchmarks.Hosting;

namespace ComplianceEvents.Benchmarks.Output;

/// <summary>Everything a run produced: what docs/benchmarks.md and docs/benchmarks.json are written from.</summary>
public sealed record BenchResult(
    Sizes Sizes, Machine Machine, DateTimeOffset StartedAt, TimeSpan Duration, OtherLoad OtherLoad,
    IReadOnlyList<Figure> Figures, IReadOnlyList<string> Notes, IReadOnlyDictionary<string, IReadOnlyList<string>> Profiles,
    IReadOnlyDictionary<string, double> Facts)
{
    /// <summary>The figure ids issues 8 and 9 ask for (B4, the HTTP load, is issue 9's).</summary>
    public static readonly IReadOnlyList<string> RequiredIds = ["B1a", "B1b", "B1c", "B1d", "B1e", "B2", "B2g", "B3", "B3b", "B4", "B5"];
}
