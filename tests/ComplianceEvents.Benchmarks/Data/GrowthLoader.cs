using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace ComplianceEvents.Benchmarks.Data;

/// <summary>
/// B2g's tenfold growth: copies of an already stored cycle (its mt_streams and mt_events rows, ids rewritten in the
/// stream keys and in the JSON, fresh event ids and sequence numbers) written with binary COPY straight into
/// Marten's tables. The copies are valid product events of other cycles; generating millions through the
/// decision functions and Marten's serializer would cost minutes the 30-minute budget does not have, and B2g
/// only needs them to exist around the report's cycle.
/// </summary>
public static class GrowthLoader
{
    private sealed record Row(string StreamId, long Version, string Data, string Type, DateTimeOffset Timestamp, string DotNetType,
        string? CorrelationId, string? CausationId, string? Headers);

    private sealed record StreamRow(string Id, string? Type, long Version);

    public static async Task<long> Clone(string connectionString, string templateCycle, int copies, string prefix)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        var streamPattern = new[] { $"cycle:{templateCycle}", $"commitment:{templateCycle}:%", $"assessment:{templateCycle}:%" };
        var rows = new List<Row>();
        await using (var cmd = db.CreateCommand("""
            select stream_id, version, data::text, type, timestamp, mt_dotnet_type, correlation_id, causation_id, headers::text
            from compliance.mt_events where stream_id = $1 or stream_id like $2 or stream_id like $3 order by seq_id
            """))
        {
            foreach (var p in streamPattern) cmd.Parameters.Add(new NpgsqlParameter { Value = p });
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                rows.Add(new Row(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4),
                    reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.IsDBNull(8) ? null : reader.GetString(8)));
        }
        var streams = new List<StreamRow>();
        await using (var cmd = db.CreateCommand("select id, type, version from compliance.mt_streams where id = $1 or id like $2 or id like $3"))
        {
            foreach (var p in streamPattern) cmd.Parameters.Add(new NpgsqlParameter { Value = p });
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) streams.Add(new StreamRow(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2)));
        }

        await using var conn = await db.OpenConnectionAsync();
        long next;
        await using (var max = new NpgsqlCommand("select coalesce(max(seq_id), 0) from compliance.mt_events", conn))
            next = (long)(await max.ExecuteScalarAsync())!;
        var key = KeyPattern(templateCycle);
        long written = 0;
        for (var k = 0; k < copies; k++)
        {
            var id = $"{prefix}-{k}";
            string Rename(string streamId) => key.Replace(streamId, $":{id}$1");
            await using (var writer = await conn.BeginBinaryImportAsync("copy compliance.mt_streams (id, type, version, tenant_id) from stdin (format binary)"))
            {
                foreach (var s in streams)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(Rename(s.Id), NpgsqlDbType.Varchar);
                    if (s.Type is null) await writer.WriteNullAsync(); else await writer.WriteAsync(s.Type, NpgsqlDbType.Varchar);
                    await writer.WriteAsync(s.Version, NpgsqlDbType.Bigint);
                    await writer.WriteAsync(BulkLoader.Tenant, NpgsqlDbType.Varchar);
                }
                await writer.CompleteAsync();
            }
            await using (var writer = await conn.BeginBinaryImportAsync(
                "copy compliance.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, causation_id, headers) from stdin (format binary)"))
            {
                foreach (var r in rows)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(++next, NpgsqlDbType.Bigint);
                    await writer.WriteAsync(Guid.NewGuid(), NpgsqlDbType.Uuid);
                    await writer.WriteAsync(Rename(r.StreamId), NpgsqlDbType.Varchar);
                    await writer.WriteAsync(r.Version, NpgsqlDbType.Bigint);
                    await writer.WriteAsync(r.Data.Replace($"\"{templateCycle}\"", $"\"{id}\"", StringComparison.Ordinal), NpgsqlDbType.Jsonb);
                    await writer.WriteAsync(r.Type, NpgsqlDbType.Varchar);
                    await writer.WriteAsync(r.Timestamp, NpgsqlDbType.TimestampTz);
                    await writer.WriteAsync(BulkLoader.Tenant, NpgsqlDbType.Varchar);
                    await writer.WriteAsync(r.DotNetType, NpgsqlDbType.Varchar);
                    if (r.CorrelationId is null) await writer.WriteNullAsync(); else await writer.WriteAsync(r.CorrelationId, NpgsqlDbType.Varchar);
                    if (r.CausationId is null) await writer.WriteNullAsync(); else await writer.WriteAsync(r.CausationId, NpgsqlDbType.Varchar);
                    if (r.Headers is null) await writer.WriteNullAsync(); else await writer.WriteAsync(r.Headers, NpgsqlDbType.Jsonb);
                }
                written += (long)await writer.CompleteAsync();
            }
        }
        await using (var setval = new NpgsqlCommand($"select setval('compliance.mt_events_sequence', {next})", conn))
            await setval.ExecuteNonQueryAsync();
        return written;
    }

    private static Regex KeyPattern(string templateCycle) => new($":{Regex.Escape(templateCycle)}(:|$)");
}
