using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.AmendingEvidence;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Benchmarks.Data;

/// <summary>
/// A year of a cycle's life on a simulated clock, run through the product's decisions: setup before the
/// summit, evidence recorded across the window, an interim proposal and approval per cell just before the
/// interim cutoff, a rubric revision in January, a final proposal and approval under the new rubric after the
/// final cutoff. Several cycles are merged by recorded time, so a cycle's events are scattered across the log
/// as they would be in production.
/// </summary>
public static class CycleHistoryGenerator
{
    public static readonly DateTimeOffset SetupAt = new(2024, 6, 14, 9, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset EvidenceFrom = new(2024, 6, 20, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset EvidenceTo = new(2025, 5, 20, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset InterimReviewAt = new(2024, 12, 18, 9, 0, 0, TimeSpan.Zero);
    /// <summary>The interim report is regenerated as of the last event recorded up to here (DESIGN 1.2 rule 7).</summary>
    public static readonly DateTimeOffset InterimPinAt = new(2024, 12, 20, 23, 59, 59, TimeSpan.Zero);
    public static readonly DateTimeOffset RevisionAt = new(2025, 1, 10, 9, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset FinalReviewAt = new(2025, 5, 25, 9, 0, 0, TimeSpan.Zero);

    public sealed record Spec(string CycleId, int EvidencePerCell, int Commitments = Synthetic.CommitmentsPerCycle, IReadOnlyList<string>? Members = null);

    /// <summary>All events of the given cycles, ordered by recorded time (ties keep each cycle's order).</summary>
    public static List<SimEvent> Generate(IEnumerable<Spec> specs, int seed)
    {
        var perCycle = specs.Select((s, i) => Cycle(s, seed + i)).ToList();
        return perCycle.SelectMany((events, c) => events.Select((e, i) => (e, c, i)))
            .OrderBy(x => x.e.Timestamp).ThenBy(x => x.c).ThenBy(x => x.i).Select(x => x.e).ToList();
    }

    /// <summary>One cycle's events in its own recorded order.</summary>
    public static List<SimEvent> Cycle(Spec spec, int seed)
    {
        var synthetic = new Synthetic(seed);
        var rng = new Random(seed);
        var simulator = new Simulator();
        var members = (spec.Members ?? Synthetic.G7.Select(m => m.Code)).ToList();
        var script = new List<(DateTimeOffset At, object Command, Actor Actor)>();
        var setupClock = SetupAt;
        foreach (var (command, actor) in synthetic.CycleSetup(spec.CycleId, spec.Commitments))
            script.Add((setupClock = setupClock.AddSeconds(30), command, actor));

        var span = (EvidenceTo - EvidenceFrom).TotalSeconds;
        for (var n = 1; n <= spec.Commitments; n++)
        {
            var commitment = Synthetic.CommitmentId(n);
            foreach (var member in members)
            {
                var times = Enumerable.Range(0, spec.EvidencePerCell).Select(_ => EvidenceFrom.AddSeconds(rng.NextDouble() * span)).Order().ToList();
                foreach (var at in times)
                {
                    var action = DateOnly.FromDateTime(at.UtcDateTime).AddDays(-rng.Next(1, 20));
                    var evidence = synthetic.Evidence(spec.CycleId, commitment, member, action, Synthetic.ItemBudget(spec.EvidencePerCell));
                    script.Add((at, evidence, Synthetic.AnalystActor(member)));
                }
                var interim = times.Count(t => t < InterimReviewAt);
                var review = InterimReviewAt.AddMinutes(n * 10 + members.IndexOf(member));
                script.Add((review, synthetic.Proposal(spec.CycleId, commitment, member, Synthetic.EvidenceIds(interim)), Synthetic.AnalystActor(member)));
                script.Add((review.AddMinutes(5), Synthetic.Approval(spec.CycleId, commitment, member, "p1"), Synthetic.LeadActor(commitment)));
                var final = FinalReviewAt.AddMinutes(n * 10 + members.IndexOf(member));
                script.Add((final, synthetic.Proposal(spec.CycleId, commitment, member, Synthetic.EvidenceIds(spec.EvidencePerCell), rubricVersion: 2),
                    Synthetic.AnalystActor(member)));
                script.Add((final.AddMinutes(5), Synthetic.Approval(spec.CycleId, commitment, member, "p2"), Synthetic.LeadActor(commitment)));
            }
            script.Add((RevisionAt.AddMinutes(n), Synthetic.ReviseRubric(spec.CycleId, n, 2), Synthetic.LeadActor(commitment)));
        }

        var events = new List<SimEvent>();
        foreach (var (at, command, actor) in script.OrderBy(s => s.At))
            events.AddRange(simulator.Run(command, actor, at));
        return events;
    }

    /// <summary>Evidence items of a B5 stream; the rest of its events are amendments of them (docs/api.md "Limits").</summary>
    public const int LongStreamEvidence = 100;

    /// <summary>
    /// A cycle with one commitment whose assessments are single long streams (B5's time travel), within the caps of a cell:
    /// AssessmentOpened, up to <see cref="LongStreamEvidence"/> evidence items, then amendments of them in turn (each a new
    /// synthetic content of the seeds' size, so the cell's current text stays ~85,000 characters), a proposal and its approval.
    /// </summary>
    public static List<SimEvent> LongStreams(string cycleId, IReadOnlyList<(string Member, int Events)> streams, int seed)
    {
        var synthetic = new Synthetic(seed);
        var simulator = new Simulator();
        var events = new List<SimEvent>();
        var clock = SetupAt;
        foreach (var (command, actor) in synthetic.CycleSetup(cycleId, 1))
            events.AddRange(simulator.Run(command, actor, clock = clock.AddSeconds(30)));
        foreach (var (member, count) in streams)
        {
            var changes = Math.Max(1, count - 3);   // opened + evidence and amendments + proposal + approval
            var evidence = Math.Min(changes, LongStreamEvidence);
            var budget = Synthetic.ItemBudget(evidence);
            var step = (EvidenceTo - EvidenceFrom).TotalSeconds / changes;
            for (var i = 0; i < changes; i++)
            {
                var id = $"e{i % evidence + 1}";
                var content = synthetic.Evidence(cycleId, "1", member, maxCharacters: budget);
                object command = i < evidence ? content with { EvidenceId = id }
                    : new AmendEvidence(cycleId, "1", member, id, content.ActionDate, content.Summary, content.Citations,
                        $"Revision {i / evidence + 1}: the ministry's release was updated.", content.Dimensions, content.Strength);
                events.AddRange(simulator.Run(command, Synthetic.AnalystActor(member), EvidenceFrom.AddSeconds(step * i)));
            }
            events.AddRange(simulator.Run(synthetic.Proposal(cycleId, "1", member, Synthetic.EvidenceIds(Math.Min(evidence, 50))),
                Synthetic.AnalystActor(member), FinalReviewAt));
            events.AddRange(simulator.Run(Synthetic.Approval(cycleId, "1", member, "p1"), Synthetic.LeadActor("1"), FinalReviewAt.AddMinutes(5)));
        }
        return events;
    }

    public static string LongStreamKey(string cycleId, string member) => Assessment.StreamKey(cycleId, "1", member);
}
