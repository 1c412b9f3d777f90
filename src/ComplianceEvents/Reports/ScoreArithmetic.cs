namespace ComplianceEvents.Reports;

/// <summary>
/// An exact average of -1/0/+1 scores, kept as sum and count (DESIGN 1.2 rule 3: never double).
/// N/A cells are simply not added: they leave the denominator. How it prints is <c>ScoreDisplay.cs</c> (rule 4).
/// </summary>
public readonly partial record struct Average(int Sum, int Count)
{
    public static Average Of(IEnumerable<int> scores) =>
        scores.Aggregate(new Average(0, 0), (a, s) => new Average(a.Sum + s, a.Count + 1));

    public bool HasValue => Count > 0;

    /// <summary>The exact value; decimal division is exact wherever the value terminates, so x.xx5 cases round correctly.</summary>
    public decimal? Value => Count == 0 ? null : (decimal)Sum / Count;
}
