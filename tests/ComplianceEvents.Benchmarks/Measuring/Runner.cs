using System.Diagnostics;

namespace ComplianceEvents.Benchmarks.Measuring;

/// <summary>One timed run: how many operations, how long, and each operation's latency.</summary>
public sealed record RunResult(int Operations, TimeSpan Elapsed, double[] LatenciesMs)
{
    public double Throughput => Operations / Elapsed.TotalSeconds;
}

/// <summary>Throughput and latency of the median run of several, with the percentiles of all their operations.</summary>
public sealed record Summary(double Throughput, double P50Ms, double P99Ms, double MeanMs, int Runs, int OperationsPerRun, IReadOnlyList<double> RunThroughputs)
{
    public static Summary Of(IReadOnlyList<RunResult> runs)
    {
        var ordered = runs.OrderBy(r => r.Throughput).ToList();
        var median = ordered[ordered.Count / 2];
        var all = runs.SelectMany(r => r.LatenciesMs).OrderBy(x => x).ToArray();
        return new Summary(median.Throughput, Percentile(all, 0.50), Percentile(all, 0.99), all.Length == 0 ? 0 : all.Average(),
            runs.Count, median.Operations, runs.Select(r => r.Throughput).ToList());
    }

    /// <summary>For timed single operations (a report, a rebuild): the median run's time is the value.</summary>
    public double MedianRunMs => 1000.0 / Throughput;

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

public static class Runner
{
    /// <summary>
    /// Runs every lane on its own worker, operations of a lane in order (a lane owns its streams, so workers
    /// never race on one stream), all lanes at once: concurrency = number of lanes.
    /// </summary>
    public static async Task<RunResult> Lanes<T>(IReadOnlyList<IReadOnlyList<T>> lanes, Func<int, T, Task> operation)
    {
        var latencies = new double[lanes.Sum(l => l.Count)];
        var offsets = new int[lanes.Count];
        for (var i = 1; i < lanes.Count; i++) offsets[i] = offsets[i - 1] + lanes[i - 1].Count;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(lanes.Select((lane, l) => Task.Run(async () =>
        {
            for (var i = 0; i < lane.Count; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await operation(l, lane[i]);
                latencies[offsets[l] + i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })));
        clock.Stop();
        return new RunResult(latencies.Length, clock.Elapsed, latencies);
    }

    /// <summary>Splits items into <paramref name="lanes"/> lanes by a key (all items of one key in one lane, in order).</summary>
    public static IReadOnlyList<IReadOnlyList<T>> Split<T>(IEnumerable<T> items, int lanes, Func<T, string> key)
    {
        var result = Enumerable.Range(0, lanes).Select(_ => new List<T>()).ToArray();
        var laneOf = new Dictionary<string, int>();
        foreach (var item in items)
        {
            var k = key(item);
            if (!laneOf.TryGetValue(k, out var lane)) laneOf[k] = lane = laneOf.Count % lanes;
            result[lane].Add(item);
        }
        return result;
    }

    /// <summary>Times one operation <paramref name="repeat"/> times after one untimed warm-up call.</summary>
    public static async Task<RunResult> Repeat(int repeat, Func<Task> operation, bool warmUp = true)
    {
        if (warmUp) await operation();
        var latencies = new double[repeat];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < repeat; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await operation();
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return new RunResult(repeat, clock.Elapsed, latencies);
    }
}
