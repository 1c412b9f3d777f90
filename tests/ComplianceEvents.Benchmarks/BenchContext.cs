using System.Diagnostics;
using ComplianceEvents.Benchmarks.Measuring;
using ComplianceEvents.Benchmarks.Output;

namespace ComplianceEvents.Benchmarks;

/// <summary>What every figure shares: the sizes, the probe, the log, and the figures produced so far.</summary>
public sealed class BenchContext(Sizes sizes, Probe probe, TextWriter log)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public Sizes Sizes { get; } = sizes;
    public Probe Probe { get; } = probe;
    public List<Figure> Figures { get; } = [];
    public List<string> Notes { get; } = [];
    /// <summary>The round trips of single operations, statement by statement (the first thing to look at for a miss).</summary>
    public Dictionary<string, IReadOnlyList<string>> Profiles { get; } = [];
    /// <summary>Measured facts the analysis quotes (sizes of documents, latencies of a single fsync, ...).</summary>
    public Dictionary<string, double> Facts { get; } = [];
    public TimeSpan Elapsed => _clock.Elapsed;

    public void Say(string line)
    {
        lock (log) log.WriteLine($"[{_clock.Elapsed:mm\\:ss}] {line}");
    }

    public void Add(Figure figure)
    {
        Figures.Add(figure);
        Say($"{figure.Key}: {Format(figure.Value)} {figure.Unit} vs {Format(figure.Baseline)}"
            + (figure.Ratio is { } r ? $" = {r:0.###}" : "") + (figure.Met is { } m ? (m ? " (met)" : " (MISSED)") : "")
            + (figure.Explain is { } e ? $"\n      this: {Describe(e, figure.RoundTripsPerOp)}" : "")
            + (figure.BaselineExplain is { } b ? $"\n      raw:  {Describe(b, figure.BaselineRoundTripsPerOp)}" : ""));
    }

    public static string Describe(Cost e, double? roundTrips) =>
        $"round trips/op {Format(roundTrips ?? e.NpgsqlCommandsPerOp)} (npgsql cmds {Format(e.NpgsqlCommandsPerOp)}, write tx {Format(e.WriteTransactionsPerOp)}), "
        + $"CPU ms/op bench {Format(e.BenchCpuMsPerOp)} pg {Format(e.PostgresCpuMsPerOp)}, WAL B/event {Format(e.WalBytesPerEvent)}, events/tx {Format(e.EventsPerTransaction)}";

    public static string Format(double? x) => x switch
    {
        null => "-",
        >= 100 => x.Value.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
        >= 10 => x.Value.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
        _ => x.Value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
    };
}
