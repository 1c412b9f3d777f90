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

/// <summary>
/// The state of a cycle as the system knew it at one point: its write models, and the text of every evidence item keyed by
/// <see cref="EvidenceText.Key"/> (the write models hold only what decisions need).
/// </summary>
public sealed record CycleState(Cycle? Cycle, IReadOnlyDictionary<string, Commitment> Commitments,
    IReadOnlyDictionary<(string Commitment, string Member), Assessment> Assessments, IReadOnlyDictionary<string, EvidenceText> Texts)
{
    /// <summary>A cell's current (not withdrawn) evidence with its text, as reports show it.</summary>
    public IReadOnlyList<EvidenceItem> CurrentEvidence(Assessment a) => EvidenceItem.Of(a, a.CurrentEvidence, Texts);
}

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

    /// <summary>"Now" from the inline projections (<see cref="Now"/>), an earlier point from the log.</summary>
    public static async Task<CycleState> StateAt(IQuerySession session, string cycleId, AsOfPoint point, CancellationToken ct = default) =>
        point == AsOfPoint.Now ? await Now(session.DocumentStore, cycleId, ct) : Fold(await Load(session, cycleId, point, ct));

    /// <summary>
    /// The cycle as its inline projections hold it now: the cycle, its commitments, its cells and their evidence text in one
    /// batched round trip on one database snapshot. The same state as <see cref="Fold"/> of the whole log.
    /// </summary>
    public static Task<CycleState> Now(IDocumentStore store, string cycleId, CancellationToken ct = default) =>
        EvidenceText.OneSnapshot(store, async session =>
        {
            var batch = session.CreateBatchQuery();
            var cycle = batch.Load<Cycle>(Cycle.StreamKey(cycleId));
            var commitments = batch.Query<Commitment>().Where(c => c.CycleId == cycleId).ToList();
            var assessments = batch.Query<Assessment>().Where(a => a.CycleId == cycleId).ToList();
            var texts = batch.Query<EvidenceText>().Where(t => t.CycleId == cycleId).ToList();
            await batch.Execute(ct);
            return new CycleState(await cycle, (await commitments).ToDictionary(c => c.CommitmentId),
                (await assessments).ToDictionary(a => (a.CommitmentId, a.MemberCode)), (await texts).ToDictionary(t => t.Id));
        }, ct);

    /// <summary>Applies each event to its stream's write model with the aggregates' one dispatch, which the inline snapshots use;
    /// the evidence text comes from the events themselves.</summary>
    public static CycleState Fold(IEnumerable<IEvent> events)
    {
        Cycle? cycle = null;
        var commitments = new Dictionary<string, Commitment>();
        var assessments = new Dictionary<string, Assessment>();
        var texts = new Dictionary<string, EvidenceText>();
        foreach (var e in events)
        {
            // Each aggregate's fold leaves the events of other streams alone: no need to tell the stream kinds apart here.
            cycle = Cycle.Fold(cycle, e.Data);
            Step(commitments, e.StreamKey!, e.Data, Commitment.Fold);
            Step(assessments, e.StreamKey!, e.Data, Assessment.Fold);
            if (EvidenceText.From(e.StreamKey!, e.Data) is { } text) texts[text.Id] = text;
        }
        return new CycleState(cycle, commitments.Values.ToDictionary(c => c.CommitmentId),
            assessments.Values.ToDictionary(a => (a.CommitmentId, a.MemberCode)), texts);
    }

    private static void Step<T>(Dictionary<string, T> states, string key, object data, Func<T?, object, T?> fold) where T : class
    {
        if (fold(states.GetValueOrDefault(key), data) is { } next) states[key] = next;
    }
}
