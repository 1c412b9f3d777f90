using System.Text.Json;
using Marten;
using Npgsql;
using NpgsqlTypes;
using static ComplianceEvents.Infrastructure.Chain.EventChain;

namespace ComplianceEvents.Infrastructure.Chain;

/// <summary>
/// Extends the hash chain over the events committed since it last ran, in sequence order, up to the log's settled point
/// (<see cref="LogHorizon"/>: nothing can appear below it any more, so the global chain never has to make room for a late
/// event), one page of at most <see cref="Page"/> events per transaction with its signed checkpoint. Commands do not wait
/// for it: an event is chained within about a second of its commit (Chain:IntervalMilliseconds), off the write path; the
/// gap this leaves is stated in docs/reliability.md. One process extends it at a time (an advisory transaction lock), so
/// several hosts on one database share it.
/// </summary>
public sealed class Chainer(IDocumentStore store, LogHorizon horizon, ChainKey key, ILogger<Chainer> log)
{
    public const int Page = 5_000;

    /// <summary>Chains everything settled now; returns how many events it chained (0 when another process holds the chain).</summary>
    public async Task<int> Extend(CancellationToken ct)
    {
        SettledPoint settled;
        try { settled = await horizon.Settle(ct); }
        catch (LogNotSettledException e)
        {
            log.LogInformation("The chain waits for writers in flight: {Reason}", e.Message);
            return 0;
        }
        var total = 0;
        while (await ExtendPage(settled.Sequence, ct) is var n and > 0)
        {
            total += n;
            if (n < Page) break;
        }
        return total;
    }

    private async Task<int> ExtendPage(long through, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using var conn = store.Storage.Database.CreateConnection();
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!(bool)(await Scalar(conn, $"select pg_try_advisory_xact_lock({EventChain.LockKey})", ct))!) return 0;

        var (lastSeq, lastGlobal) = await LastRow(conn, schema, ct);
        var events = await StoredEvents.Read(conn, store.Options.Events.DatabaseSchemaName, lastSeq, through, Page, ct);
        if (events.Count == 0) return 0;

        var previous = await StreamHeads(conn, schema, events.Select(e => e.Stream).Distinct().ToArray(), ct);
        var heads = new Dictionary<string, StreamHead>();
        var global = lastGlobal;
        await using (var copy = await conn.BeginBinaryImportAsync($"copy {schema}.{EventChain.Rows} (seq_id, stream_id, version, " +
            "type, data_hash, metadata, event_hash, previous_hash, previous_seq_id, global_hash, key_id, signature) " +
            "from stdin (format binary)", ct))
        {
            long? previousSeq = lastSeq == 0 ? null : lastSeq;
            foreach (var e in events)
            {
                var before = heads.TryGetValue(e.Stream, out var h) ? h.Hash : previous.GetValueOrDefault(e.Stream);
                var dataHash = ChainHashing.DataHash(e.Data);
                var eventHash = ChainHashing.EventHash(e, dataHash, before);
                global = ChainHashing.GlobalHash(global, e.Sequence, eventHash);
                heads[e.Stream] = new StreamHead(e.Stream, e.Version, eventHash);
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(e.Sequence, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(e.Stream, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(e.Version, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(e.Type, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(dataHash, NpgsqlDbType.Bytea, ct);
                await copy.WriteAsync(StoredEvents.MetadataJson(e), NpgsqlDbType.Jsonb, ct);
                await copy.WriteAsync(eventHash, NpgsqlDbType.Bytea, ct);
                await Nullable(copy, before, NpgsqlDbType.Bytea, ct);
                await Nullable(copy, previousSeq, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(global, NpgsqlDbType.Bytea, ct);
                await copy.WriteAsync(key.Id, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(ChainHashing.RowMac(key, e.Sequence, eventHash, global), NpgsqlDbType.Bytea, ct);
                previousSeq = e.Sequence;
            }
            await copy.CompleteAsync(ct);
        }

        await WriteCheckpoint(conn, schema, events[0].Sequence, events[^1].Sequence, events.Count, global!, heads.Values, ct);
        await tx.CommitAsync(ct);
        return events.Count;
    }

    private async Task WriteCheckpoint(NpgsqlConnection conn, string schema, long from, long through, int count, byte[] global,
        IEnumerable<StreamHead> heads, CancellationToken ct)
    {
        long lastId = 0;
        byte[]? lastMac = null;
        await using (var read = Sql(
            $"select id, signature from {schema}.{EventChain.Checkpoints} order by id desc limit 1", conn))
        await using (var reader = await read.ExecuteReaderAsync(ct))
            if (await reader.ReadAsync(ct)) (lastId, lastMac) = (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
        var list = heads.OrderBy(h => h.Stream, StringComparer.Ordinal).ToList();
        await using var insert = Sql($"insert into {schema}.{EventChain.Checkpoints} (id, from_seq_id, through_seq_id, " +
            "events, global_hash, heads, key_id, signature) " +
            "values (@id, @from, @through, @events, @global, @heads, @key, @signature)", conn);
        insert.Parameters.AddWithValue("id", lastId + 1);
        insert.Parameters.AddWithValue("from", from);
        insert.Parameters.AddWithValue("through", through);
        insert.Parameters.AddWithValue("events", count);
        insert.Parameters.AddWithValue("global", global);
        insert.Parameters.AddWithValue("heads", NpgsqlDbType.Jsonb, Checkpoint.HeadsJson(list));
        insert.Parameters.AddWithValue("key", key.Id);
        insert.Parameters.AddWithValue("signature", ChainHashing.CheckpointMac(key, lastId + 1, from, through, global, list, lastMac));
        await insert.ExecuteNonQueryAsync(ct);
    }

    private static async Task<(long Seq, byte[]? Global)> LastRow(NpgsqlConnection conn, string schema, CancellationToken ct)
    {
        await using var cmd = Sql(
            $"select seq_id, global_hash from {schema}.{EventChain.Rows} order by seq_id desc limit 1", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)) : (0, null);
    }

    /// <summary>The event hash of each stream's last chained event.</summary>
    internal static async Task<Dictionary<string, byte[]>> StreamHeads(NpgsqlConnection conn, string schema, string[] streams,
        CancellationToken ct)
    {
        var heads = new Dictionary<string, byte[]>();
        await using var cmd = Sql($"select distinct on (stream_id) stream_id, event_hash from {schema}.{EventChain.Rows} " +
            "where stream_id = any(@streams) order by stream_id, version desc", conn);
        cmd.Parameters.AddWithValue("streams", streams);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) heads[reader.GetString(0)] = reader.GetFieldValue<byte[]>(1);
        return heads;
    }

    private static async Task Nullable<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct)
    {
        if (value is null) await copy.WriteNullAsync(ct);
        else await copy.WriteAsync(value, type, ct);
    }

    internal static async Task<object?> Scalar(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = Sql(sql, conn);
        return await cmd.ExecuteScalarAsync(ct);
    }
}

/// <summary>Reading <c>mt_events</c> as the chain hashes it.</summary>
internal static class StoredEvents
{
    public const string Columns = "seq_id, stream_id, version, type, data::text, id, timestamp, tenant_id, correlation_id, causation_id, " +
        "headers::text, is_archived";

    public static async Task<List<StoredEvent>> Read(NpgsqlConnection conn, string schema, long after, long through, int limit,
        CancellationToken ct)
    {
        await using var cmd = Sql($"select {Columns} from {schema}.mt_events where seq_id > @after and seq_id <= @through " +
            "order by seq_id limit @limit", conn);
        cmd.Parameters.AddWithValue("after", after);
        cmd.Parameters.AddWithValue("through", through);
        cmd.Parameters.AddWithValue("limit", limit);
        var events = new List<StoredEvent>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) events.Add(From(reader, 0));
        return events;
    }

    public static StoredEvent From(NpgsqlDataReader r, int o) => new(r.GetInt64(o), r.GetString(o + 1), r.GetInt64(o + 2),
        r.GetString(o + 3), r.GetString(o + 4), r.GetGuid(o + 5), r.GetFieldValue<DateTimeOffset>(o + 6), Text(r, o + 7),
        Text(r, o + 8), Text(r, o + 9), Text(r, o + 10), !r.IsDBNull(o + 11) && r.GetBoolean(o + 11));

    public static string MetadataJson(StoredEvent e) => JsonSerializer.Serialize(e.Metadata.ToDictionary(m => m.Field, m => m.Value));

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}

/// <summary>A checkpoint's stream heads as stored (jsonb: [[stream, version, hex hash], ...] in stream order).</summary>
internal static class Checkpoint
{
    public static string HeadsJson(IEnumerable<StreamHead> heads) =>
        JsonSerializer.Serialize(heads.Select(h => new object[] { h.Stream, h.Version, Convert.ToHexStringLower(h.Hash) }));

    public static List<StreamHead> ParseHeads(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateArray()
            .Select(a => new StreamHead(a[0].GetString()!, a[1].GetInt64(), Convert.FromHexString(a[2].GetString()!))).ToList();
}
