namespace ComplianceEvents.Benchmarks;

/// <summary>
/// How much data each figure uses. <see cref="Full"/> is what the README command runs; <see cref="Quick"/>
/// (about 1/100 of it) is what QuickBenchTests runs so the bench never rots. Issue 8's own sizes are in
/// <see cref="Issue"/>; docs/benchmarks.md states which were used and why.
/// </summary>
public sealed record Sizes
{
    public required string Name { get; init; }
    /// <summary>Timed runs per figure after the warm-up; the value is the median run (issue 8: 3).</summary>
    public int Runs { get; init; } = 3;
    /// <summary>B1a/B1b/B1c: commands per timed run (3 runs per concurrency, after a warm-up run), also the size of each experiment's run.</summary>
    public required int CommandsPerRun { get; init; }
    public required int WarmUpCommands { get; init; }
    /// <summary>Evidence items per cell in the command workload (then one proposal and its approval).</summary>
    public int EvidencePerCell { get; init; } = 10;
    /// <summary>B1d/B1e: evidence items imported per run (3 runs), 20 per cell, with a proposal and approval per cell.</summary>
    public required int ImportEvidencePerRun { get; init; }
    public int ImportEvidencePerCell { get; init; } = 20;
    /// <summary>B1e: evidence items loaded per run (3 runs); the bulk path is cheap enough for the issue's 100,000 in total.</summary>
    public required int BulkEvidencePerRun { get; init; }
    /// <summary>B2: the large cycle's evidence per cell (20 commitments x 8 members).</summary>
    public required int LargeCycleEvidencePerCell { get; init; }
    /// <summary>B2's other cycles (20 evidence per cell, so one of them is the "10x fewer events" cycle) and B2g's growth factor.</summary>
    public required int OtherCycleEvents { get; init; }
    public int GrowthFactor { get; init; } = 10;
    public required int ReportRepeats { get; init; }
    public required int LagSeconds { get; init; }
    /// <summary>B3: the product's rebuild is stopped after this long if it has not finished (its rate so far is then an upper bound).</summary>
    public int RebuildTimeBoxSeconds { get; init; } = 240;
    public required int ShortStream { get; init; }
    public required int LongStream { get; init; }
    public required int TimeTravelRepeats { get; init; }
    /// <summary>B4 (issue 9): wrk connections, measured seconds after a warm-up, and the commands that score the cycle whose report is read.</summary>
    public int HttpClients { get; init; } = 50;
    public required int HttpSeconds { get; init; }
    public required int HttpWarmUpSeconds { get; init; }
    public required int HttpReadCycleCommands { get; init; }

    public static readonly Sizes Issue = new()
    {
        Name = "issue 8", CommandsPerRun = 50_000, WarmUpCommands = 1_000, ImportEvidencePerRun = 100_000, BulkEvidencePerRun = 33_600,
        LargeCycleEvidencePerCell = 200, OtherCycleEvents = 400_000, ReportRepeats = 10, LagSeconds = 60,
        ShortStream = 100, LongStream = 10_000, TimeTravelRepeats = 20,
        HttpSeconds = 30, HttpWarmUpSeconds = 5, HttpReadCycleCommands = 960,
    };

    public static readonly Sizes Full = Issue with
    {
        Name = "full",
        CommandsPerRun = 1_500, WarmUpCommands = 300, ImportEvidencePerRun = 33_400, ReportRepeats = 5,
    };

    public static readonly Sizes Quick = new()
    {
        Name = "quick", Runs = 1, CommandsPerRun = 100, WarmUpCommands = 40, ImportEvidencePerRun = 48, BulkEvidencePerRun = 160,
        LargeCycleEvidencePerCell = 2, OtherCycleEvents = 4_000, ReportRepeats = 2, LagSeconds = 3,
        ShortStream = 10, LongStream = 100, TimeTravelRepeats = 3,
        HttpSeconds = 2, HttpWarmUpSeconds = 1, HttpReadCycleCommands = 48,
    };

    public static Sizes Override(Sizes sizes, IEnumerable<string> assignments)
    {
        var copy = sizes with { };
        foreach (var assignment in assignments)
        {
            var (name, value) = (assignment.Split('=', 2)[0], assignment.Split('=', 2)[1]);
            var property = typeof(Sizes).GetProperty(name) ?? throw new ArgumentException($"--set {name}: no such size");
            property.SetValue(copy, Convert.ChangeType(value, property.PropertyType, System.Globalization.CultureInfo.InvariantCulture));
        }
        return copy;
    }
}
