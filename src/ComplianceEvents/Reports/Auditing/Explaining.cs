using System.Globalization;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports.AsOf;
using JasperFx.Events;
using Marten;

namespace ComplianceEvents.Reports.Auditing;

/// <summary>A point on the recorded-time clock, resolved to a global sequence, with the window its report uses.</summary>
public sealed record ResolvedPoint(string Label, long Sequence, ReportKind? Kind);

/// <summary>A typed reason a cell's score or evidence differs between two points.</summary>
public sealed record Cause(string Kind, long? Sequence, DateTimeOffset? RecordedAt, string? By, string What, string? Why);

public sealed record Explanation(string CycleId, string CommitmentId, string Member, ResolvedPoint From, ResolvedPoint To,
    string Before, string After, IReadOnlyList<Cause> Causes)
{
    public bool Changed => Before != After;

    public string ToText() =>
        $"{CycleId} {CommitmentId} {Member}: {Before} -> {After} (from {From.Label} [sequence {From.Sequence}] to {To.Label} [sequence " +
            $"{To.Sequence}])\n"
        + string.Concat(Causes.Select(c => $"- " +
            $"{c.Kind}{(c.Sequence is { } s ? $" #{s}" : "")}"
            + $"{(c.RecordedAt is { } t ? $" {t:yyyy-MM-dd HH:mm:ss}Z" : "")}{(c.By is { } b ? $" {b}" : "")}: {c.What}"
            + (c.Why is { Length: > 0 } why ? $"\n    why: {why}" : "") + "\n"));
}

public static class Explaining
{
    /// <summary>
    /// Points: "interim" / "final" (the latest edition of that kind, or the current state with that window
    /// when none is published), "edition:N" (of <paramref name="kind"/>, default interim), "interim:N" / "final:N", a global
    /// sequence, or an ISO time.
    /// </summary>
    public static async Task<ResolvedPoint?> Resolve(Cycle cycle, LastSequence lastSequence, string text, ReportKind? kind)
    {
        async Task<ResolvedPoint?> Edition(ReportKind k, int? n)
        {
            var edition = n is { } number ? cycle.FindEdition(k, number) : cycle.Editions.LastOrDefault(e => e.Kind == k);
            if (edition is not null) return new ResolvedPoint($"{k.ToString().ToLowerInvariant()} edition " +
                $"{edition.Edition}", edition.PinnedSequence, k);
            if (n is not null || cycle.Window(k) is null) return null;
            // Not published yet: the report as the system knows it now, with that window.
            return new ResolvedPoint($"{k.ToString().ToLowerInvariant()} (unpublished, now)", await lastSequence(null), k);
        }

        var parts = text.Split(':', 2);
        if (Enum.TryParse<ReportKind>(parts[0], ignoreCase: true, out var named) && !int.TryParse(parts[0], out _))
            return parts.Length == 1 ? await Edition(named, null) : int.TryParse(parts[1], out var n1) ? await Edition(named, n1) : null;
        if (parts[0] == "edition" && parts.Length == 2 && int.TryParse(parts[1], out var n2))
            return await Edition(kind ?? ReportKind.Interim, n2);
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)) return new ResolvedPoint($"sequence " +
            $"{sequence}", sequence, kind);
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            return new ResolvedPoint($"time {time:O}", await lastSequence(time), kind);
        return null;
    }

    /// <summary>A sequence or a time must be settled before it is explained (issue 21); editions are settled when published.</summary>
    public static async Task<RuleViolation?> CheckSettled(LogHorizon horizon, string? text, string field, CancellationToken ct)
    {
        if (text is null) return null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            return await Settlement.Check(horizon, sequence, null, field, ct);
        if (text.Split(':', 2)[0] is not ("edition" or "interim" or "final")
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            return await Settlement.Check(horizon, null, time, field, ct);
        return null;
    }

    /// <summary>
    /// The cell at both points and the typed causes between them, from <paramref name="events"/>: the cell's streams
    /// (<see cref="CellStreams.Read"/>) or the whole cycle's; only the cell's cycle, commitment and assessment streams count.
    /// </summary>
    public static Explanation Explain(IReadOnlyList<IEvent> events, CellStreams cell, ResolvedPoint from, ResolvedPoint to)
    {
        var (cycleId, commitmentId, member) = cell;
        events = events.Where(e => e.StreamKey == cell.CycleKey || e.StreamKey == cell.CommitmentKey || e.StreamKey == cell.AssessmentKey)
            .ToList();
        var before = CycleHistory.Fold(events.Where(e => e.Sequence <= from.Sequence));
        var after = CycleHistory.Fold(events.Where(e => e.Sequence <= to.Sequence));
        var (lo, hi) = from.Sequence <= to.Sequence ? (from.Sequence, to.Sequence) : (to.Sequence, from.Sequence);
        var causes = AuditTrail.For(events.Where(e => e.Sequence > lo && e.Sequence <= hi), cell)
            .Where(a => a.Kind is not ("assessment-opened" or "commitment-selected"))
            .Select(a => new Cause(a.Kind, a.Sequence, a.RecordedAt, a.By, a.What, a.Why)).ToList();
        causes.AddRange(EligibilityMoves(before, from.Kind, after, to.Kind, commitmentId, member));
        return new Explanation(cycleId, commitmentId, member, from, to, Cell(before, from.Kind, commitmentId, member), Cell(after, to.Kind,
            commitmentId, member), causes);
    }

    /// <summary>DESIGN 1.2 rule 7: evidence can move in or out of eligibility because the windows differ, with no event at all.</summary>
    private static IEnumerable<Cause> EligibilityMoves(CycleState a, ReportKind? ka, CycleState b, ReportKind? kb, string commitmentId,
        string member)
    {
        var wa = ka is { } x ? a.Cycle?.Window(x) : null;
        var wb = kb is { } y ? b.Cycle?.Window(y) : null;
        if (wa is null && wb is null) return [];
        var evidence = b.Assessments.GetValueOrDefault((commitmentId, member))?.CurrentEvidence ?? [];
        return evidence.Select(e => (e, inA: wa?.Contains(e.ActionDate) ?? true, inB: wb?.Contains(e.ActionDate) ?? true))
            .Where(t => t.inA != t.inB)
            .Select(t => new Cause(t.inB ? "evidence-entered-window" : "evidence-left-window", null, null, null,
                $"{t.e.EvidenceId} (action {t.e.ActionDate:yyyy-MM-dd}) {(t.inB ? "is inside" : "is outside")} {Describe(wb)} but " +
                    $"{(t.inA ? "inside" : "outside")} {Describe(wa)}", null));
    }

    private static string Describe(ReportWindow? w) => w is null ? "no window" : $"the {w.Kind.ToString().ToLowerInvariant()} window " +
        $"{w.Start:yyyy-MM-dd}..{w.Cutoff:yyyy-MM-dd}";

    /// <summary>The cell as the point's report shows it: N/A, the approval that counts in its window (rule 11), or none.</summary>
    private static string Cell(CycleState s, ReportKind? kind, string commitmentId, string member)
    {
        if (s.Commitments.GetValueOrDefault(commitmentId) is { } c && !c.IsApplicable(member)) return "N/A";
        var window = kind is { } k ? s.Cycle?.Window(k) : null;
        return WindowedScores.For(s.Assessments.GetValueOrDefault((commitmentId, member)),
            window).Score is { } score ? Assessments.Scores.Format(score) : "none";
    }

    /// <summary>Every cell whose score differs between the interim and the final report, each with its explanation.</summary>
    public static async Task<(IReadOnlyList<Explanation> Changes, string? Problem)> CompareInterimFinal(Cycle cycle,
        IReadOnlyList<IEvent> events)
    {
        var interim = await Resolve(cycle, InMemory(events), "interim", null);
        var final = await Resolve(cycle, InMemory(events), "final", null);
        if (interim is null || final is null)
        {
            return ([], $"both windows must be set (interim: {(interim is null ? "missing" : "set")}, final: " +
                $"{(final is null ? "missing" : "set")})");
        }
        var state = CycleHistory.Fold(events.Where(e => e.Sequence <= Math.Max(interim.Sequence, final.Sequence)));
        return (state.Commitments.Values.OrderBy(c => c.Number)
            .SelectMany(c => cycle.Members.Select(m => Explain(events, new CellStreams(cycle.CycleId, c.CommitmentId, m.Code), interim,
                final)))
            .Where(x => x.Changed).ToList(), null);
    }

    /// <summary>The last sequence of the cycle at or before a time (or at all, for null): what a time point and "now" resolve to.</summary>
    public delegate Task<long> LastSequence(DateTimeOffset? at);

    /// <summary>The cycle's clock read from the log: one index probe per stream of the cycle (<see cref="CellStreams.LastSequence"/>).
    /// </summary>
    public static LastSequence FromLog(IQuerySession session, string cycleId, CancellationToken ct) =>
        at => CellStreams.LastSequence(session, cycleId, at, ct);

    /// <summary>The cycle's clock from its events already read.</summary>
    public static LastSequence InMemory(IReadOnlyList<IEvent> cycleEvents) => at => Task.FromResult(cycleEvents
        .Where(e => at is not { } t || e.Timestamp <= t).Select(e => e.Sequence).DefaultIfEmpty(0).Max());

    /// <summary>The cycle's events, every stream of it, as of now: what comparing every cell reads.</summary>
    public static Task<IReadOnlyList<IEvent>> CycleEvents(IQuerySession session, string cycleId, CancellationToken ct) =>
        CycleHistory.Load(session, cycleId, AsOfPoint.Now, ct);
}
