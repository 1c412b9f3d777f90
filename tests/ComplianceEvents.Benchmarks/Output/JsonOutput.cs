using System.Text.Json;
using System.Text.Json.Serialization;

namespace ComplianceEvents.Benchmarks.Output;

/// <summary>docs/benchmarks.json: the run's context, then one object per figure (issue 8's fields first).</summary>
public static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Render(BenchResult r)
    {
        var document = new
        {
            generated_at = r.StartedAt,
            duration_seconds = Math.Round(r.Duration.TotalSeconds),
            sizes = r.Sizes,
            machine = r.Machine,
            other_load = r.OtherLoad,
            figures = r.Figures.Select(Round).ToList(),
            notes = r.Notes,
        };
        return JsonSerializer.Serialize(document, Options) + "\n";
    }

    private static double? R(double? x, int digits = 4) => x is { } v && double.IsFinite(v) ? Math.Round(v, v >= 100 ? 1 : digits) : null;

    private static Figure Round(Figure f) => f with
    {
        Value = R(f.Value), Baseline = R(f.Baseline), Ratio = R(f.Ratio), P50Ms = R(f.P50Ms), P99Ms = R(f.P99Ms),
        BaselineP50Ms = R(f.BaselineP50Ms), BaselineP99Ms = R(f.BaselineP99Ms), RoundTripsPerOp = R(f.RoundTripsPerOp),
        BaselineRoundTripsPerOp = R(f.BaselineRoundTripsPerOp), Explain = Round(f.Explain), BaselineExplain = Round(f.BaselineExplain),
    };

    private static Measuring.Cost? Round(Measuring.Cost? c) => c is null ? null : new Measuring.Cost(
        R(c.NpgsqlCommandsPerOp) ?? 0, R(c.WriteTransactionsPerOp) ?? 0, R(c.BenchCpuMsPerOp) ?? 0, R(c.PostgresCpuMsPerOp) ?? 0,
        R(c.WalBytesPerEvent) ?? 0, R(c.EventsPerTransaction) ?? 0);
}
