using Marten;
using Npgsql;

namespace ComplianceEvents.Integration.BoundingQueues;

/// <summary>What one sweep removed: per outbound queue (configured name) and from the dead letters.</summary>
public sealed record RetentionReport(DateTimeOffset SweptAt, IReadOnlyDictionary<string, int> Outbound, int DeadLetters);

/// <summary>
/// Keeps the queues this host writes for others bounded (docs/integration.md "Retention"). Each outbound message carries its
/// queue's retention as Wolverine's keep_until (DeliverWithin, IntegrationSetup), but only a queue's listener deletes expired
/// rows (PostgresqlQueueListener.DeleteExpiredAsync), so a queue nobody consumes would keep them all: this sweep deletes them,
/// with rows older than the retention that have no keep_until (queued before it was set). Dead letters expire as Wolverine's
/// DeadLetterQueueExpiration stamps them; its own sweep runs hourly, this one as often as configured, and is the one that
/// says what it removed (an information line, and <see cref="Last"/> in /health). Every node sweeps: a delete is idempotent.
/// </summary>
public sealed class RetentionSweep(IntegrationSettings settings, IDocumentStore store, ILogger<RetentionSweep> logger) : BackgroundService
{
    public RetentionReport? Last { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.Retention.SweepInterval);
        do
        {
            try { await SweepAsync(stoppingToken); }
            // Never fatal: a BackgroundService that throws stops the host; the next tick tries again.
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Retention sweep failed, tried again in {Interval}: {Reason}", settings.Retention.SweepInterval,
                    e.Message);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One sweep, now (the background loop calls it; so may a test).</summary>
    public async Task<RetentionReport> SweepAsync(CancellationToken ct)
    {
        await using var conn = store.Storage.Database.CreateConnection();
        await conn.OpenAsync(ct);
        var outbound = new Dictionary<string, int>();
        foreach (var queue in settings.OutboundQueues)
        {
            var retention = settings.Retention.For(queue);
            var removed = await Delete(conn, $"wolverine_queues.{QueueBacklog.Table(queue)}",
                "keep_until <= (now() at time zone 'utc') or (keep_until is null and timestamp <= (now() at time zone 'utc') - @retention)",
                retention, ct);
            outbound[queue] = removed;
            if (removed > 0)
                logger.LogInformation("Retention removed {Count} unconsumed message(s) older than {Retention} from outbound queue {Queue}",
                    removed, retention, queue);
        }
        var deadLetters = await Delete(conn, $"{store.Options.DatabaseSchemaName}.wolverine_dead_letters",
            "not replayable and (expires <= (now() at time zone 'utc') or (expires is null and sent_at <= (now() at time zone 'utc') " +
            "- @retention))", settings.Retention.DeadLetters, ct);
        if (deadLetters > 0)
            logger.LogInformation("Retention removed {Count} dead letter(s) older than {Retention}", deadLetters,
                settings.Retention.DeadLetters);
        return Last = new RetentionReport(DateTimeOffset.UtcNow, outbound, deadLetters);
    }

    /// <summary>Rows past their bound; a table not created yet (a queue configured after start) holds none.</summary>
    private static async Task<int> Delete(NpgsqlConnection conn, string table, string where, TimeSpan retention, CancellationToken ct)
    {
        if (!await QueueBacklog.Exists(conn, table, ct)) return 0;
        await using var delete = new NpgsqlCommand($"delete from {table} where {where}", conn);
        delete.Parameters.AddWithValue("retention", retention);
        return await delete.ExecuteNonQueryAsync(ct);
    }
}
