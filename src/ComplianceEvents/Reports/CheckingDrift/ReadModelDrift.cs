using System.Data;
using System.Text.Json.Nodes;
using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Reports.GettingScores;
using Marten;
using Npgsql;

namespace ComplianceEvents.Reports.CheckingDrift;

/// <summary>A stored read-model document that is not what its events fold to.</summary>
/// <param name="Problem">differs (the document is not the fold), missing (a stream without its document) or orphan (a document without a
/// stream)</param>
public sealed record Drift(string ReadModel, string Id, string Problem, string? Detail)
{
    public override string ToString() => $"{ReadModel} {Id}: {Problem}{(Detail is null ? "" : $" ({Detail})")}";
}

public sealed record DriftReport(int Streams, int Documents, IReadOnlyList<Drift> Drifts, DateTimeOffset CheckedAt)
{
    public bool Clean => Drifts.Count == 0;
}

/// <summary>
/// Compares every stored read model with a fresh fold of its stream's events by Marten's live aggregation (the same
/// projection code), inside one repeatable-read snapshot so that commands running meanwhile cannot look like drift;
/// and rebuilds what drifted, stream by stream, with the stream locked (issue 21).
/// </summary>
public sealed class ReadModelDrift(IDocumentStore store, TimeProvider clock)
{
    /// <summary>Every read model of the product and the streams that own its documents (the document id is the stream key).</summary>
    private static readonly IReadOnlyList<ReadModel> Models =
    [
        new ReadModel<Cycle>("cycle", c => c is null ? "cycle:%" : Cycle.StreamKey(c)),
        new ReadModel<Commitment>("commitment", c => $"commitment:{c ?? "%"}:%"),
        new ReadModel<Assessment>("assessment", c => $"assessment:{c ?? "%"}:%"),
        new ReadModel<CellScore>("cell-score", c => $"assessment:{c ?? "%"}:%"),
    ];

    public async Task<DriftReport> Check(string? cycleId = null, CancellationToken ct = default)
    {
        await using var conn = store.Storage.Database.CreateConnection();
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using var session = store.QuerySession(Marten.Services.SessionOptions.ForTransaction(tx));
        var drifts = new List<Drift>();
        int streams = 0, documents = 0;
        foreach (var model in Models)
        {
            var (s, d, found) = await model.Check(store, conn, session, cycleId, ct);
            streams += s;
            documents += d;
            drifts.AddRange(found);
        }
        return new DriftReport(streams, documents, drifts, clock.GetUtcNow());
    }

    /// <summary>Rebuilds each drifted document from its events (or deletes an orphan) and returns what it repaired.</summary>
    public async Task<IReadOnlyList<Drift>> Repair(IEnumerable<Drift> drifts, CancellationToken ct = default)
    {
        var repaired = new List<Drift>();
        foreach (var drift in drifts)
        {
            var model = Models.Single(m => m.Name == drift.ReadModel);
            await using var session = store.LightweightSession();
            if (await model.Repair(session, drift.Id, ct)) repaired.Add(drift);
        }
        return repaired;
    }

    private abstract record ReadModel(string Name, Func<string?, string> StreamPattern)
    {
        public abstract Task<(int Streams, int Documents, IReadOnlyList<Drift> Drifts)> Check(IDocumentStore store, NpgsqlConnection conn,
            IQuerySession session, string? cycleId, CancellationToken ct);

        public abstract Task<bool> Repair(IDocumentSession session, string id, CancellationToken ct);
    }

    private sealed record ReadModel<T>(string Name, Func<string?, string> StreamPattern) : ReadModel(Name, StreamPattern) where T : class
    {
        public override async Task<(int Streams, int Documents, IReadOnlyList<Drift> Drifts)> Check(IDocumentStore store,
            NpgsqlConnection conn,
            IQuerySession session, string? cycleId, CancellationToken ct)
        {
            var pattern = StreamPattern(cycleId);
            var schema = store.Options.Events.DatabaseSchemaName;
            var table = store.Options.FindOrResolveDocumentType(typeof(T)).TableName.QualifiedName;
            var streams = await Ids(conn, $"select id from {schema}.mt_streams where id like @pattern and not is_archived", pattern, ct);
            var stored = await Documents(conn, $"select id, data from {table} where id like @pattern", pattern, store, ct);
            var serializer = store.Options.Serializer();
            var drifts = new List<Drift>();
            foreach (var key in streams)
            {
                var folded = await session.Events.AggregateStreamAsync<T>(key, token: ct);
                stored.TryGetValue(key, out var doc);
                if (folded is null && doc is null) continue;
                if (doc is null) drifts.Add(new Drift(Name, key, "missing", null));
                else if (folded is null) drifts.Add(new Drift(Name, key, "orphan", "its stream folds to nothing"));
                else
                {
                    var (a, b) = (Canonical(serializer.ToJson(doc)), Canonical(serializer.ToJson(folded)));
                    if (a != b) drifts.Add(new Drift(Name, key, "differs", FirstDifference(a, b)));
                }
            }
            drifts.AddRange(stored.Keys.Except(streams).Select(id => new Drift(Name, id, "orphan", "no stream has this id")));
            return (streams.Count, stored.Count, drifts);
        }

        public override async Task<bool> Repair(IDocumentSession session, string id, CancellationToken ct)
        {
            // The stream's row stays locked until commit: no command can append between the fold and the write.
            var locked = await session.Events.FetchForExclusiveWriting<T>(id, ct);
            var folded = locked.StartingVersion is > 0 ? await session.Events.AggregateStreamAsync<T>(id, token: ct) : null;
            if (folded is null) session.Delete<T>(id);
            else session.Store(folded);
            await session.SaveChangesAsync(ct);
            return true;
        }

        /// <summary>Each stored row by its id, read back through the store's serializer (the row id, not the JSON's, is the key).</summary>
        private static async Task<Dictionary<string, T>> Documents(NpgsqlConnection conn, string sql, string pattern, IDocumentStore store,
            CancellationToken ct)
        {
            var serializer = store.Options.Serializer();
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.AddWithValue("pattern", pattern);
            var docs = new Dictionary<string, T>();
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) docs[reader.GetString(0)] = serializer.FromJson<T>(reader, 1);
            return docs;
        }
    }

    private static async Task<List<string>> Ids(NpgsqlConnection conn, string sql, string pattern, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("pattern", pattern);
        var ids = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>
    /// JSON with every object's keys in ordinal order: PostgreSQL's jsonb keeps keys in its own order, so a dictionary read
    /// back from a stored document lists its entries differently from the same dictionary folded in memory.
    /// </summary>
    public static string Canonical(string json) => Sorted(JsonNode.Parse(json))?.ToJsonString() ?? "null";

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key,
            Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };

    /// <summary>Where two JSON texts part, with a little context: enough for an operator to see which field drifted.</summary>
    public static string FirstDifference(string stored, string folded)
    {
        var i = 0;
        while (i < stored.Length && i < folded.Length && stored[i] == folded[i]) i++;
        var from = Math.Max(0, i - 40);
        string Near(string s) => s.Length <= from ? "" : s.Substring(from, Math.Min(80, s.Length - from));
        return $"at character {i}: stored …{Near(stored)}… but the events give …{Near(folded)}…";
    }
}
