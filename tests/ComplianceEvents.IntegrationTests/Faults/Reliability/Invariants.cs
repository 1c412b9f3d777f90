using System.Text.Json.Nodes;
using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Chain;
using ComplianceEvents.Reports.GettingScores;
using JasperFx;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Faults.Reliability;

/// <summary>
/// What must hold after every reliability scenario (issue 15, the reliability suite), checked against the database alone, so a
/// database another process wrote is checked the same way as the fixture's:
/// <list type="number">
/// <item>the server runs with fsync and synchronous_commit on (a committed answer survives a crash of the machine);</item>
/// <item>every stream's versions are exactly 1..n, and its recorded version (mt_streams) is n;</item>
/// <item>every event is attributed (the acting user's header) and chained (a chain row for its stream and version);</item>
/// <item>every inline projection equals a fresh fold of its stream;</item>
/// <item>a full verify-log is clean.</item>
/// </list>
/// It builds its own store (<see cref="Persistence.Configure"/>, no schema changes) and its own chainer and verifier with the
/// key the writing host signed with. Run it once the writers are quiet: a fold and its document are read one after the other.
/// </summary>
public static class Invariants
{
    /// <summary>Marten's filler for sequence numbers a failed append took: not a stream of ours (see the constant's remarks).</summary>
    public const string TombstoneStream = EventChain.TombstoneStream;

    private const int MaxListed = 10;

    public static async Task AssertHold(string connectionString, string chainKeyBase64, CancellationToken ct = default)
    {
        using var store = DocumentStore.For(opts =>
        {
            Persistence.Configure(opts, connectionString);
            opts.AutoCreateSchemaObjects = AutoCreate.None; // read and chain only: the writing host owns the schema
        });
        var key = new ChainKey(Convert.FromBase64String(chainKeyBase64), "the test's chain key");
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);

        await Durability(conn, ct);
        await StreamVersions(conn, ct);
        await Attribution(conn, ct);
        await Chained(store, key, conn, ct);
        await Projections(store, conn, ct);

        var report = await new ChainVerifier(store, key, new ChainStatus(), TimeProvider.System).Verify(incremental: false, ct);
        Assert.True(report.Intact, $"verify-log (full) found {report.Breaks.Count} break(s): " + string.Join("; ", report.Breaks));
    }

    private static async Task Durability(NpgsqlConnection conn, CancellationToken ct)
    {
        foreach (var setting in new[] { "fsync", "synchronous_commit" })
            Assert.True(await Scalar<string>(conn, $"show {setting}", ct) == "on", $"the server runs with {setting} off");
    }

    private static async Task StreamVersions(NpgsqlConnection conn, CancellationToken ct)
    {
        var broken = await Rows(conn,
            $"""
            select coalesce(s.id, e.stream_id), s.version, e.n, e.low, e.high, e.distinct_versions
            from (select * from compliance.mt_streams where id <> '{TombstoneStream}') s
            full join (select stream_id, count(*) n, min(version) low, max(version) high, count(distinct version) distinct_versions
                       from compliance.mt_events where stream_id <> '{TombstoneStream}' group by stream_id) e on e.stream_id = s.id
            where s.id is null or e.stream_id is null or e.low <> 1 or e.high <> e.n or e.distinct_versions <> e.n
               or s.version <> e.high
            order by 1 limit {MaxListed}
            """, r => $"stream {r.GetString(0)}: recorded version {Text(r, 1)}, {Text(r, 2)} events with versions " +
                $"{Text(r, 3)}..{Text(r, 4)} ({Text(r, 5)} distinct)", ct);
        Assert.True(broken.Count == 0, "streams whose versions are not exactly 1..n: " + string.Join("; ", broken));
    }

    private static async Task Attribution(NpgsqlConnection conn, CancellationToken ct)
    {
        var unattributed = await Rows(conn,
            $"""
            select seq_id, stream_id, version, type from compliance.mt_events
            where stream_id <> '{TombstoneStream}' and coalesce(headers ->> '{EventHeaders.User}', '') = ''
            order by seq_id limit {MaxListed}
            """, r => $"sequence {r.GetInt64(0)} (stream {r.GetString(1)} version {r.GetInt64(2)}, {r.GetString(3)})", ct);
        Assert.True(unattributed.Count == 0, $"events without an acting user ({EventHeaders.User} header): " +
            string.Join("; ", unattributed));
    }

    /// <summary>
    /// The writing host chains in the background; this extends the chain itself too (one extender at a time, by the chain's lock),
    /// until it covers the high-water mark read first, then checks each event has its chain row.
    /// </summary>
    private static async Task Chained(IDocumentStore store, ChainKey key, NpgsqlConnection conn, CancellationToken ct)
    {
        var highWater = await Scalar<long>(conn, "select coalesce(max(seq_id), 0) from compliance.mt_events", ct);
        var chainer = new Chainer(store, new LogHorizon(store, TimeProvider.System), key, NullLogger<Chainer>.Instance);
        await Integration.IntegrationHost.Eventually(async () =>
            {
                await chainer.Extend(ct);
                return await Scalar<long>(conn, $"select coalesce(max(seq_id), 0) from compliance.{EventChain.Rows}", ct);
            }, chained => chained >= highWater, $"the chain to cover the high-water mark {highWater}", seconds: 60);

        var unchained = await Rows(conn,
            $"""
            select e.seq_id, e.stream_id, e.version, c.seq_id is null from compliance.mt_events e
            left join compliance.{EventChain.Rows} c on c.seq_id = e.seq_id
            where e.seq_id <= {highWater} and ((c.seq_id is null and e.stream_id <> '{TombstoneStream}')
               or c.stream_id <> e.stream_id or c.version <> e.version or c.type <> e.type)
            order by e.seq_id limit {MaxListed}
            """, r => $"sequence {r.GetInt64(0)} (stream {r.GetString(1)} version {r.GetInt64(2)}): " +
                (r.GetBoolean(3) ? "no chain row" : "its chain row names another stream, version or type"), ct);
        Assert.True(unchained.Count == 0, "events not chained: " + string.Join("; ", unchained));
    }

    /// <summary>
    /// Every inline projection of the modules (their IStoreModule.Register) against a fresh fold of its stream: the snapshots of
    /// cycles, commitments and cells (StreamFold), the cells' scores (CellScoreProjection) by Marten's live aggregation of the
    /// same projection, and the evidence texts (EvidenceTextProjection, an event projection: the last recording or amendment of
    /// each item) by replaying the stream through <see cref="EvidenceText.From"/>. Compared as stored JSON against the fold
    /// serialized by the store's serializer, nothing excluded: the one field not in the events, a snapshot's Version, is
    /// set by Marten on both sides to the stream's version. A stored document without a stream, or a stream whose fold has a
    /// document and none is stored, is a difference too.
    /// </summary>
    private static async Task Projections(IDocumentStore store, NpgsqlConnection conn, CancellationToken ct)
    {
        var streams = await Rows(conn, $"select id from compliance.mt_streams where id <> '{TombstoneStream}' order by id",
            r => r.GetString(0), ct);
        var differences = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct };
        await Parallel.ForEachAsync(streams, parallel, async (id, token) =>
        {
            await using var session = store.QuerySession();
            foreach (var difference in await StreamDifferences(session, id, token)) differences.Enqueue(difference);
        });

        var known = streams.ToHashSet(StringComparer.Ordinal);
        foreach (var table in new[] { typeof(Cycle), typeof(Commitment), typeof(Assessment), typeof(CellScore) })
        {
            var name = store.Options.FindOrResolveDocumentType(table).TableName.QualifiedName;
            foreach (var orphan in await Rows(conn, $"select id from {name} order by id", r => r.GetString(0), ct))
                if (!known.Contains(orphan)) differences.Enqueue($"{table.Name} {orphan}: stored, but no such stream");
        }
        var texts = store.Options.FindOrResolveDocumentType(typeof(EvidenceText)).TableName.QualifiedName;
        foreach (var orphan in await Rows(conn, $"select id, data ->> 'StreamKey' from {texts} order by id",
                     r => (Id: r.GetString(0), Stream: r.IsDBNull(1) ? "" : r.GetString(1)), ct))
            if (!known.Contains(orphan.Stream)) differences.Enqueue($"EvidenceText {orphan.Id}: stored, but no stream {orphan.Stream}");

        var listed = differences.OrderBy(d => d, StringComparer.Ordinal).ToList();
        Assert.True(listed.Count == 0,
            $"{listed.Count} projection(s) differ from a fresh fold: " + string.Join("; ", listed.Take(MaxListed)));
    }

    private static async Task<List<string>> StreamDifferences(IQuerySession session, string id, CancellationToken ct)
    {
        var found = new List<string>();
        await Compare(session, id, await session.Events.AggregateStreamAsync<Cycle>(id, token: ct), found, ct);
        await Compare(session, id, await session.Events.AggregateStreamAsync<Commitment>(id, token: ct), found, ct);
        await Compare(session, id, await session.Events.AggregateStreamAsync<Assessment>(id, token: ct), found, ct);
        await Compare(session, id, await session.Events.AggregateStreamAsync<CellScore>(id, token: ct), found, ct);

        var folded = new Dictionary<string, EvidenceText>(StringComparer.Ordinal);
        foreach (var e in await session.Events.FetchStreamAsync(id, token: ct))
            if (EvidenceText.From(id, e.Data) is { } text) folded[text.Id] = text;
        foreach (var text in folded.Values) await Compare(session, text.Id, text, found, ct);
        var stored = await session.Query<EvidenceText>().Where(t => t.StreamKey == id).CountAsync(ct);
        if (stored != folded.Count) found.Add($"EvidenceText of stream {id}: {stored} stored, the fold has {folded.Count}");
        return found;
    }

    private static async Task Compare<T>(IQuerySession session, string id, T? fresh, List<string> found, CancellationToken ct)
        where T : class
    {
        var stored = await session.Json.FindByIdAsync<T>(id, ct);
        if (fresh is null)
        {
            if (stored is not null) found.Add($"{typeof(T).Name} {id}: stored, but a fresh fold of the stream has none");
            return;
        }
        if (stored is null)
        {
            found.Add($"{typeof(T).Name} {id}: a fresh fold has one, none is stored");
            return;
        }
        var expected = JsonNode.Parse(session.DocumentStore.Options.Serializer().ToJson(fresh));
        if (FirstDifference("$", JsonNode.Parse(stored), expected) is { } where)
            found.Add($"{typeof(T).Name} {id} differs from a fresh fold at {where}");
    }

    /// <summary>The path of the first place two JSON values differ (object keys in any order, as jsonb stores them), or null.</summary>
    internal static string? FirstDifference(string path, JsonNode? stored, JsonNode? fresh)
    {
        switch (stored, fresh)
        {
            case (null, null): return null;
            case (JsonObject a, JsonObject b):
                foreach (var name in a.Select(p => p.Key).Union(b.Select(p => p.Key)).Order(StringComparer.Ordinal))
                {
                    if (a.ContainsKey(name) != b.ContainsKey(name))
                        return $"{path}.{name} ({(a.ContainsKey(name) ? "only stored" : "only in the fold")})";
                    if (FirstDifference($"{path}.{name}", a[name], b[name]) is { } inner) return inner;
                }
                return null;
            case (JsonArray a, JsonArray b):
                if (a.Count != b.Count) return $"{path} ({a.Count} items stored, {b.Count} in the fold)";
                for (var i = 0; i < a.Count; i++)
                    if (FirstDifference($"{path}[{i}]", a[i], b[i]) is { } inner) return inner;
                return null;
            default:
                return JsonNode.DeepEquals(stored, fresh) ? null
                    : $"{path} (stored {stored?.ToJsonString() ?? "null"}, fold {fresh?.ToJsonString() ?? "null"})";
        }
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task<List<T>> Rows<T>(NpgsqlConnection conn, string sql, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct)) rows.Add(read(reader));
        return rows;
    }

    private static string Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? "none" : r.GetValue(i).ToString()!;
}
