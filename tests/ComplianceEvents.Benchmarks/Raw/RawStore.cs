using ComplianceEvents.Assessments;
using ComplianceEvents.Benchmarks.Data;
using ComplianceEvents.Infrastructure;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace ComplianceEvents.Benchmarks.Raw;

/// <summary>
/// The hand-written side of every comparison: tables shaped like Marten's (created with
/// <c>LIKE compliance.mt_events INCLUDING ALL</c>, so the same columns, defaults and indexes, plus the same
/// foreign key to the streams table) in schema bench_raw of the same database, written and read with plain
/// Npgsql from the same process. Payloads are the bytes Marten's own serializer produces for the product's events.
/// </summary>
public sealed class RawStore : IAsyncDisposable
{
    public const string Schema = "bench_raw";
    private readonly NpgsqlDataSource _db;

    public RawStore(string connectionString, IDocumentStore store)
    {
        _db = NpgsqlDataSource.Create(connectionString);
        Serializer = store.Options.Serializer();
        EventNames = Persistence.EventNames.ToDictionary(kv => kv.Key, kv => kv.Value);
        EventTypes = Persistence.EventNames.ToDictionary(kv => kv.Value, kv => kv.Key);
    }

    public NpgsqlDataSource Db => _db;
    public ISerializer Serializer { get; }
    public IReadOnlyDictionary<Type, string> EventNames { get; }
    public IReadOnlyDictionary<string, Type> EventTypes { get; }

    public const string EventColumns = "seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, causation_id, headers";

    public async Task CreateTables()
    {
        var sql = $"""
            drop schema if exists {Schema} cascade;
            create schema {Schema};
            create sequence {Schema}.events_seq;
            create table {Schema}.streams (like compliance.mt_streams including all);
            create table {Schema}.events (like compliance.mt_events including all);
            alter table {Schema}.events add constraint fk_raw_events_stream foreign key (stream_id) references {Schema}.streams(id) on delete cascade;
            create table {Schema}.assessment_docs (like compliance.mt_doc_assessment including all);
            create table {Schema}.copy_streams (like compliance.mt_streams including all);
            create table {Schema}.copy_events (like compliance.mt_events including all);
            alter table {Schema}.copy_events add constraint fk_raw_copy_events_stream foreign key (stream_id) references {Schema}.copy_streams(id) on delete cascade;
            """;
        await using var cmd = _db.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task Truncate(params string[] tables)
    {
        await using var cmd = _db.CreateCommand($"truncate {string.Join(", ", tables.Select(t => $"{Schema}.{t}"))} cascade");
        await cmd.ExecuteNonQueryAsync();
    }

    public string TypeName(object data) => EventNames[data.GetType()];
    public static string DotNetType(object data) => $"{data.GetType().FullName}, {data.GetType().Assembly.GetName().Name}";
    public string Headers(SimEvent e) => Serializer.ToJson(new Dictionary<string, object> { ["user-id"] = e.User, ["command"] = e.Command });

    /// <summary>Adds the parameters of one mt_events row (all but seq_id) to a command whose SQL names them $offset+1..$offset+11.</summary>
    public void AddEventParameters(NpgsqlParameterCollection p, SimEvent e, string causation)
    {
        p.Add(new NpgsqlParameter { Value = Guid.NewGuid() });
        p.Add(new NpgsqlParameter { Value = e.StreamKey });
        p.Add(new NpgsqlParameter { Value = e.Version });
        p.Add(new NpgsqlParameter { Value = Serializer.ToJson(e.Data), NpgsqlDbType = NpgsqlDbType.Jsonb });
        p.Add(new NpgsqlParameter { Value = TypeName(e.Data) });
        p.Add(new NpgsqlParameter { Value = e.Timestamp });
        p.Add(new NpgsqlParameter { Value = "*DEFAULT*" });
        p.Add(new NpgsqlParameter { Value = DotNetType(e.Data) });
        p.Add(new NpgsqlParameter { Value = causation });
        p.Add(new NpgsqlParameter { Value = causation });
        p.Add(new NpgsqlParameter { Value = Headers(e), NpgsqlDbType = NpgsqlDbType.Jsonb });
    }

    public static string EventValues(int offset) =>
        $"(nextval('{Schema}.events_seq'), ${offset + 1}, ${offset + 2}, ${offset + 3}, ${offset + 4}, ${offset + 5}, ${offset + 6}, ${offset + 7}, ${offset + 8}, ${offset + 9}, ${offset + 10}, ${offset + 11})";

    /// <summary>B1b's baseline: one autocommit INSERT of one event row (one round trip, one commit).</summary>
    public async Task InsertOne(SimEvent e)
    {
        await using var cmd = _db.CreateCommand($"insert into {Schema}.events ({EventColumns}) values {EventValues(0)}");
        AddEventParameters(cmd.Parameters, e, e.Command);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Rows the B1b inserts need to exist for the foreign key (written before the timed run).</summary>
    public async Task EnsureStreams(IEnumerable<string> keys, string table = "streams")
    {
        await using var conn = await _db.OpenConnectionAsync();
        await using var writer = await conn.BeginBinaryImportAsync($"copy {Schema}.{table} (id, type, version, tenant_id) from stdin (format binary)");
        foreach (var key in keys.Distinct())
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(key, NpgsqlDbType.Varchar);
            await writer.WriteAsync("assessment", NpgsqlDbType.Varchar);
            await writer.WriteAsync(0L, NpgsqlDbType.Bigint);
            await writer.WriteAsync("*DEFAULT*", NpgsqlDbType.Varchar);
        }
        await writer.CompleteAsync();
    }

    /// <summary>B1a's baseline, one command by hand: read the state document (round trip 1), decide and fold in memory,
    /// then one pipelined batch BEGIN; stream version; events; document upsert; COMMIT (round trip 2).</summary>
    public async Task<int> Command(string streamKey, string user, string command, DateTimeOffset now,
        Func<Assessment?, (IReadOnlyList<object> Events, Assessment State)> decide)
    {
        await using var conn = await _db.OpenConnectionAsync();
        Assessment? state = null;
        long version = 0;
        await using (var read = new NpgsqlCommand($"select data, mt_version from {Schema}.assessment_docs where id = $1", conn))
        {
            read.Parameters.Add(new NpgsqlParameter { Value = streamKey });
            await using var reader = await read.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                state = (Assessment)Serializer.FromJson(typeof(Assessment), reader, 0);
                version = reader.GetInt64(1);
            }
        }
        var (data, next) = decide(state);
        var events = data.Select((d, i) => new SimEvent(streamKey, version + i + 1, d, user, command, now)).ToList();
        var newVersion = version + events.Count;
        next.Version = newVersion;

        await using var batch = new NpgsqlBatch(conn);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("begin"));
        var stream = version == 0
            ? new NpgsqlBatchCommand($"insert into {Schema}.streams (id, type, version, tenant_id) values ($1, 'assessment', $2, '*DEFAULT*')")
            : new NpgsqlBatchCommand($"update {Schema}.streams set version = $2, timestamp = now() where id = $1 and version = $3");
        stream.Parameters.Add(new NpgsqlParameter { Value = streamKey });
        stream.Parameters.Add(new NpgsqlParameter { Value = newVersion });
        if (version > 0) stream.Parameters.Add(new NpgsqlParameter { Value = version });
        batch.BatchCommands.Add(stream);
        var insert = new NpgsqlBatchCommand($"insert into {Schema}.events ({EventColumns}) values "
            + string.Join(", ", events.Select((_, i) => EventValues(i * 11))));
        foreach (var e in events) AddEventParameters(insert.Parameters, e, e.Command);
        batch.BatchCommands.Add(insert);
        var doc = new NpgsqlBatchCommand($"""
            insert into {Schema}.assessment_docs (id, data, mt_last_modified, mt_dotnet_type, mt_version) values ($1, $2, transaction_timestamp(), $3, $4)
            on conflict (id) do update set data = excluded.data, mt_last_modified = excluded.mt_last_modified, mt_version = excluded.mt_version
            """);
        doc.Parameters.Add(new NpgsqlParameter { Value = streamKey });
        doc.Parameters.Add(new NpgsqlParameter { Value = Serializer.ToJson(next), NpgsqlDbType = NpgsqlDbType.Jsonb });
        doc.Parameters.Add(new NpgsqlParameter { Value = DotNetType(next) });
        doc.Parameters.Add(new NpgsqlParameter { Value = newVersion });
        batch.BatchCommands.Add(doc);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("commit"));
        await batch.ExecuteNonQueryAsync();
        if (version > 0 && stream.RecordsAffected != 1)
            throw new InvalidOperationException($"Raw optimistic concurrency failed on {streamKey}.");
        return events.Count;
    }

    /// <summary>The COPY baselines (B1d, B1e): Npgsql binary COPY of the given rows, streams first for the foreign key.</summary>
    public async Task<long> Copy(IReadOnlyList<CopiedEvent> rows)
    {
        await using var conn = await _db.OpenConnectionAsync();
        await using (var streams = await conn.BeginBinaryImportAsync($"copy {Schema}.copy_streams (id, type, version, tenant_id) from stdin (format binary)"))
        {
            foreach (var s in rows.GroupBy(r => r.StreamId))
            {
                await streams.StartRowAsync();
                await streams.WriteAsync(s.Key, NpgsqlDbType.Varchar);
                await streams.WriteAsync(s.Key[..s.Key.IndexOf(':')], NpgsqlDbType.Varchar);
                await streams.WriteAsync(s.Max(r => r.Version), NpgsqlDbType.Bigint);
                await streams.WriteAsync("*DEFAULT*", NpgsqlDbType.Varchar);
            }
            await streams.CompleteAsync();
        }
        await using var writer = await conn.BeginBinaryImportAsync($"copy {Schema}.copy_events ({EventColumns}) from stdin (format binary)");
        foreach (var r in rows)
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(r.SeqId, NpgsqlDbType.Bigint);
            await writer.WriteAsync(r.Id, NpgsqlDbType.Uuid);
            await writer.WriteAsync(r.StreamId, NpgsqlDbType.Varchar);
            await writer.WriteAsync(r.Version, NpgsqlDbType.Bigint);
            await writer.WriteAsync(r.Data, NpgsqlDbType.Jsonb);
            await writer.WriteAsync(r.Type, NpgsqlDbType.Varchar);
            await writer.WriteAsync(r.Timestamp, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync("*DEFAULT*", NpgsqlDbType.Varchar);
            await writer.WriteAsync(r.DotNetType, NpgsqlDbType.Varchar);
            if (r.CorrelationId is null) await writer.WriteNullAsync(); else await writer.WriteAsync(r.CorrelationId, NpgsqlDbType.Varchar);
            if (r.CausationId is null) await writer.WriteNullAsync(); else await writer.WriteAsync(r.CausationId, NpgsqlDbType.Varchar);
            if (r.Headers is null) await writer.WriteNullAsync(); else await writer.WriteAsync(r.Headers, NpgsqlDbType.Jsonb);
        }
        return (long)await writer.CompleteAsync();
    }

    /// <summary>Rows exactly as stored in compliance.mt_events (the COPY baseline copies these bytes).</summary>
    public async Task<IReadOnlyList<CopiedEvent>> ReadStoredEvents(string whereClause, params object[] args)
    {
        var rows = new List<CopiedEvent>();
        await using var cmd = _db.CreateCommand($"select seq_id, id, stream_id, version, data::text, type, timestamp, mt_dotnet_type, correlation_id, causation_id, headers::text from compliance.mt_events where {whereClause} order by seq_id");
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(new CopiedEvent(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5),
                reader.GetFieldValue<DateTimeOffset>(6), reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10)));
        return rows;
    }

    /// <summary>Reads events with hand-written SQL and deserializes each into the product's event type (the read baselines).</summary>
    public async Task<int> ReadEvents(string sql, params object[] args)
    {
        var count = 0;
        await using var cmd = _db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var data = Serializer.FromJson(EventTypes[reader.GetString(0)], reader, 1);
            if (data is not null) count++;
        }
        return count;
    }

    public async ValueTask DisposeAsync() => await _db.DisposeAsync();
}

public sealed record CopiedEvent(long SeqId, Guid Id, string StreamId, long Version, string Data, string Type, DateTimeOffset Timestamp,
    string DotNetType, string? CorrelationId, string? CausationId, string? Headers);
