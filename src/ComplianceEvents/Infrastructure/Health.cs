using Marten;
using Npgsql;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// /health (anonymous): the database answers, the event store's high-water mark, and projection lag.
/// Every projection is inline (committed with its events), so there is no daemon lag to wait for.
/// </summary>
public static class Health
{
    public static void MapHealth(this WebApplication app) =>
        app.MapGet("/health", async (IDocumentStore store, CancellationToken ct) =>
        {
            try
            {
                await using var conn = store.Storage.Database.CreateConnection();
                await conn.OpenAsync(ct);
                await using var cmd = new NpgsqlCommand("select coalesce(max(seq_id), 0) from compliance.mt_events", conn);
                var highWater = (long)(await cmd.ExecuteScalarAsync(ct))!;
                return Results.Ok(new { status = "healthy", database = "reachable", eventHighWaterMark = highWater, projections = new { mode = "inline", lag = 0 } });
            }
            catch (NpgsqlException e)
            {
                return Results.Json(new { status = "unhealthy", database = "unreachable", error = e.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous().WithTags("Operations");
}
