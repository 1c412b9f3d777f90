using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using JasperFx.Events;
using Marten;

namespace ComplianceEvents.Reports.AsOf;

/// <summary>Which point of the recorded-time clock to read (DESIGN 1.2 rule 7): a global sequence, a time, or now.</summary>
public sealed record AsOfPoint(long? Sequence = null, DateTimeOffset? Time = null)
{
    public static readonly AsOfPoint Now = new();
    public override string ToString() => Sequence is { } s ? $"sequence {s}" : Time is { } t ? $"time {t:O}" : "now";
}

/// <summary>The state of a cycle as the system knew it at one point: every stream folded from one query.</summary>
public sealed record CycleState(Cycle? Cycle, IReadOnlyDictionary<string, Commitment> Commitments,
    IReadOnlyDictionary<(string Commitment, string Member), Assessment> Assessments, IReadOnlyList<ReportEdition> Editions, long LastSequence);

public static class CycleHistory
{
    /// <summary>
    /// One query over the cycle's streams (cycle, its commitments, its assessments) up to the point,
    /// in global sequence order (DESIGN 2.2 "As-of": no per-stream loop). Marten's tombstones are not ours.
    /// </summary>
    public static async Task<IReadOnlyList<IEvent>> Load(IQuerySession session, string cycleId, AsOfPoint point, CancellationToken ct = default)
    {
        var cycleKey = Cycle.StreamKey(cycleId);
        var commitmentPrefix = $"commitment:{cycleId}:";
        var assessmentPrefix = $"assessment:{cycleId}:";
        var query = session.Events.QueryAllRawEvents()
            .Where(e => e.StreamKey == cycleKey || e.StreamKey!.StartsWith(commitmentPrefix) || e.StreamKey!.StartsWith(assessmentPrefix));
        if (point.Sequence is { } s) query = query.Where(e => e.Sequence <= s);
        if (point.Time is { } t) query = query.Where(e => e.Timestamp <= t);
        return await query.OrderBy(e => e.Sequence).ToListAsync(ct);
    }

    public static async Task<CycleState> StateAt(IQuerySession session, string cycleId, AsOfPoint point, CancellationToken ct = default) =>
        Fold(await Load(session, cycleId, point, ct));

    /// <summary>Applies each event to its stream's write model with the same Create/Apply methods the inline snapshots use.</summary>
    public static CycleState Fold(IEnumerable<IEvent> events)
    {
        Cycle? cycle = null;
        var commitments = new Dictionary<string, Commitment>();
        var assessments = new Dictionary<string, Assessment>();
        var editions = new List<ReportEdition>();
        long last = 0;
        foreach (var e in events)
        {
            last = Math.Max(last, e.Sequence);
            var key = e.StreamKey!;
            switch (e.Data)
            {
                case CycleOpened x: cycle = Cycle.Create(x); break;
                case ReportWindowSet x: cycle = cycle!.Apply(x); break;
                case CycleAmended x: cycle = cycle!.Apply(x); break;
                case ReportPublished x: cycle = cycle!.Apply(x); editions.Add(ReportEdition.From(x, e)); break;
                case CommitmentSelected x: commitments[key] = Commitment.Create(x); break;
                case CommitmentRenumbered x: commitments[key] = commitments[key].Apply(x); break;
                case MemberMarkedNotApplicable x: commitments[key] = commitments[key].Apply(x); break;
                case MemberApplicabilityRestored x: commitments[key] = commitments[key].Apply(x); break;
                case RubricPublished x: commitments[key] = commitments[key].Apply(x); break;
                case RubricRevised x: commitments[key] = commitments[key].Apply(x); break;
                case AssessmentOpened x: assessments[key] = Assessment.Create(x); break;
                default:
                    if (assessments.TryGetValue(key, out var a)) assessments[key] = ApplyToAssessment(a, e.Data);
                    break;
            }
        }
        return new CycleState(cycle, commitments.Values.ToDictionary(c => c.CommitmentId),
            assessments.Values.ToDictionary(a => (a.CommitmentId, a.MemberCode)), editions, last);
    }

    public static Assessment ApplyToAssessment(Assessment a, object data) => data switch
    {
        EvidenceRecorded x => a.Apply(x),
        EvidenceAmended x => a.Apply(x),
        EvidenceWithdrawn x => a.Apply(x),
        ScoreProposed x => a.Apply(x),
        ProposalReturned x => a.Apply(x),
        ScoreApproved x => a.Apply(x),
        ScoreRejected x => a.Apply(x),
        _ => a,
    };
}
