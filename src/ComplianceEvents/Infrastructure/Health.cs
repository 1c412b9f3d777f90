using Marten;
using Npgsql;

namespace ComplianceEvents.Infrastructure;

/// <summary>One check behind /health, run once the database answers: it adds its fields to the answer and returns why the host is
/// unhealthy, or null; what still serves but needs a look goes to <see cref="HealthProbe.Warnings"/>.</summary>
public interface IStatusCheck
{
    Task<string?> Check(HealthProbe probe, IDictionary<string, object?> answer, CancellationToken ct);
}

/// <summary>What every check may use: an open connection and the event store's high-water mark.</summary>
public sealed record HealthProbe(NpgsqlConnection Connection, string Schema, long EventHighWaterMark)
{
    /// <summary>Degraded, not down (a growing backlog): the answer stays 200, a balancer keeps the host, an operator sees why.</summary>
    public List<string> Warnings { get; } = [];
}

/// <summary>
/// /health (anonymous): 200 when the database answers and every check passes ("healthy", or "degraded" with the warnings of
/// the checks); 503 with the reasons otherwise. The schema exists from start-up (Program: resource setup), so an empty
/// database is healthy.
/// </summary>
public static class Health
{
    public static IServiceCollection AddComplianceHealth(this IServiceCollection services)
    {
        services.AddSingleton<IStatusCheck, ProjectionLag>();
        services.AddSingleton<PausedShards>();
        services.AddSingleton<IStatusCheck>(sp => sp.GetRequiredService<PausedShards>());
        // Before the daemon's coordinator (a hosted service of AddCompliancePersistence): it sees the first failure too.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<PausedShards>()));
        return services;
    }

    public static void MapHealth(this WebApplication app) =>
        app.MapGet("/health", async (IDocumentStore store, IEnumerable<IStatusCheck> checks, CancellationToken ct) =>
        {
            var answer = new Dictionary<string, object?>();
            var reasons = new List<string>();
            var warnings = new List<string>();
            try
            {
                await using var conn = store.Storage.Database.CreateConnection();
                await conn.OpenAsync(ct);
                answer["database"] = "reachable";
                var schema = store.Options.DatabaseSchemaName;
                await using var cmd = new NpgsqlCommand($"select coalesce(max(seq_id), 0) from {schema}.mt_events", conn);
                var highWater = (long)(await cmd.ExecuteScalarAsync(ct))!;
                answer["eventHighWaterMark"] = highWater;
                var probe = new HealthProbe(conn, schema, highWater);
                foreach (var check in checks)
                    if (await check.Check(probe, answer, ct) is { } reason) reasons.Add(reason);
                warnings.AddRange(probe.Warnings);
            }
            // The one test of "the database is going or gone" (a 503 for every request too), whatever the pool had.
            catch (PostgresException e) when (!HttpErrors.DatabaseUnavailable(e))
            {
                reasons.Add($"the database answers but refuses: {e.SqlState} {e.MessageText}");
            }
            catch (NpgsqlException e)
            {
                answer["database"] = "unreachable";
                reasons.Add($"the database is unreachable: {(e as PostgresException)?.MessageText ?? (e.InnerException ?? e).Message}");
            }
            var healthy = reasons.Count == 0;
            var status = !healthy ? "unhealthy" : warnings.Count > 0 ? "degraded" : "healthy";
            var body = new Dictionary<string, object?> { ["status"] = status };
            foreach (var (key, value) in answer) body[key] = value;
            if (!healthy) body["reasons"] = reasons;
            if (warnings.Count > 0) body["warnings"] = warnings;
            return Results.Json(body, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().WithTags("Operations");
}

/// <summary>
/// Inline projections commit with their events and cannot lag; an asynchronous one is behind when its progress is
/// below the high-water mark.
/// </summary>
internal sealed class ProjectionLag : IStatusCheck
{
    public async Task<string?> Check(HealthProbe probe, IDictionary<string, object?> answer, CancellationToken ct)
    {
        // Marten keeps its own marks beside the shards' progress (HighWaterMark, HighWaterStuckGap): they are not projections.
        await using var cmd = new NpgsqlCommand($"select name, last_seq_id from {probe.Schema}.mt_event_progression where name not like " +
            $"'HighWater%'", probe.Connection);
        var behind = new List<string>();
        var lag = 0L;
        var shards = 0;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                shards++;
                var shardLag = probe.EventHighWaterMark - reader.GetInt64(1);
                if (shardLag <= 0) continue;
                lag = Math.Max(lag, shardLag);
                behind.Add($"{reader.GetString(0)} is {shardLag} events behind");
            }
        answer["projections"] = new { mode = shards == 0 ? "inline" : "async", lag };
        return behind.Count == 0 ? null : "projections behind: " + string.Join(", ", behind);
    }
}
