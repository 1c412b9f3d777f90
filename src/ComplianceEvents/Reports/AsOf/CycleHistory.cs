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

    /// <summary>"Now" from the inline projections (<see cref="Now"/>), an earlier point from the log (<see cref="FoldAt"/>).</summary>
    public static async Task<CycleState> StateAt(IQuerySession session, string cycleId, AsOfPoint point, CancellationToken ct = default) =>
        point == AsOfPoint.Now ? await Now(session.DocumentStore, cycleId, ct) : await FoldAt(session.DocumentStore, cycleId, point, ct);

    /// <summary>
    /// The cycle at an earlier point, folded from the same events as <see cref="Load"/> while they are read, each as its stream and
    /// its data only: the folds use nothing else, and materialising every event with its metadata and headers took about as long
    /// again as the raw read (B2 in docs/benchmarks.md). The data are read by the store's own event mappings (Marten's
    /// deserialisation, with any upcaster it has); a stored event name no module declares is an error, never skipped.
    /// </summary>
    public static async Task<CycleState> FoldAt(IDocumentStore store, string cycleId, AsOfPoint point, CancellationToken ct = default)
    {
        var serializer = store.Options.Serializer();
        var graph = (Marten.Events.EventGraph)((StoreOptions)store.Options).Events;
        var mappings = Infrastructure.Persistence.EventNames.ToDictionary(kv => kv.Value, kv => graph.EventMappingFor(kv.Key));
        await using var conn = store.Storage.Database.CreateConnection();
        await conn.OpenAsync(ct);
        await using var cmd = new Npgsql.NpgsqlCommand(
            $"select data, stream_id, type from {store.Options.Events.DatabaseSchemaName}.mt_events where not is_archived and " +
            "(stream_id = @cycle or stream_id like @commitments or stream_id like @assessments)" +
            (point.Sequence is null ? "" : " and seq_id <= @sequence") + (point.Time is null ? "" : " and timestamp <= @time") +
            " order by seq_id", conn);
        cmd.Parameters.AddWithValue("cycle", Cycle.StreamKey(cycleId));
        cmd.Parameters.AddWithValue("commitments", $"commitment:{Auditing.CellStreams.EscapeLike(cycleId)}:%");
        cmd.Parameters.AddWithValue("assessments", $"assessment:{Auditing.CellStreams.EscapeLike(cycleId)}:%");
        if (point.Sequence is { } s) cmd.Parameters.AddWithValue("sequence", s);
        if (point.Time is { } t) cmd.Parameters.AddWithValue("time", t);
        var folding = new Folding();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var type = reader.GetString(2);
            var mapping = mappings.GetValueOrDefault(type)
                ?? throw new InvalidOperationException($"The log holds an event named '{type}' that no module declares.");
            folding.Add(reader.GetString(1), mapping.ReadEventData(serializer, reader).Data);
        }
        return folding.State();
    }

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
        var folding = new Folding();
        foreach (var e in events) folding.Add(e.StreamKey!, e.Data);
        return folding.State();
    }

    /// <summary>The fold of a cycle's events, one at a time, in the log's order.</summary>
    private sealed class Folding
    {
        private Cycle? _cycle;
        private readonly Dictionary<string, Commitment> _commitments = [];
        private readonly Dictionary<string, Assessment> _assessments = [];
        private readonly Dictionary<string, EvidenceText> _texts = [];

        public void Add(string streamKey, object data)
        {
            // Each aggregate's fold leaves the events of other streams alone: no need to tell the stream kinds apart here.
            _cycle = Cycle.Fold(_cycle, data);
            Step(_commitments, streamKey, data, Commitment.Fold);
            Step(_assessments, streamKey, data, Assessment.Fold);
            if (EvidenceText.From(streamKey, data) is { } text) _texts[text.Id] = text;
        }

        public CycleState State() => new(_cycle, _commitments.Values.ToDictionary(c => c.CommitmentId),
            _assessments.Values.ToDictionary(a => (a.CommitmentId, a.MemberCode)), _texts);

        private static void Step<T>(Dictionary<string, T> states, string key, object data, Func<T?, object, T?> fold) where T : class
        {
            if (fold(states.GetValueOrDefault(key), data) is { } next) states[key] = next;
        }
    }
}
