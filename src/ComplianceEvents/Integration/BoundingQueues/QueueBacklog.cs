using ComplianceEvents.Infrastructure;
using Npgsql;
using Weasel.Postgresql;

namespace ComplianceEvents.Integration.BoundingQueues;

/// <summary>
/// /health's view of the queues (docs/integration.md "Retention"): how many messages wait in each outbound queue and in the
/// inbound one, and the age of the oldest. Over Outbound:BacklogWarningCount or Outbound:BacklogWarningAge the host is
/// degraded, not down: a consumer that stopped is a problem for its owner, not a reason to take this host out of service.
/// </summary>
internal sealed class QueueBacklog(IntegrationSettings settings, RetentionSweep sweep) : IStatusCheck
{
    /// <summary>Wolverine's table of a queue (PostgresqlQueue): wolverine_queue_&lt;name&gt;, shortened as PostgreSQL truncates
    /// it.</summary>
    public static string Table(string queue) => PostgresqlIdentifier.Shorten($"wolverine_queue_{EnvelopeActors.QueueName(queue)}");

    /// <summary>A queue's table exists once Wolverine provisioned it (a queue configured after start has none yet).</summary>
    public static async Task<bool> Exists(NpgsqlConnection connection, string table, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("select to_regclass(@table) is not null", connection);
        cmd.Parameters.AddWithValue("table", table);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<string?> Check(HealthProbe probe, IDictionary<string, object?> answer, CancellationToken ct)
    {
        var limits = settings.Retention;
        var queues = new List<object>();
        foreach (var (queue, direction) in settings.OutboundQueues.Select(q => (q, "outbound"))
            .Append((settings.Inbound.Queue, "inbound")).DistinctBy(q => EnvelopeActors.QueueName(q.Item1)))
        {
            if (!await Exists(probe.Connection, $"wolverine_queues.{Table(queue)}", ct)) continue;
            await using var backlog = new NpgsqlCommand("select count(*), " +
                $"extract(epoch from (now() at time zone 'utc') - min(timestamp)) from wolverine_queues.{Table(queue)}", probe.Connection);
            await using var reader = await backlog.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var count = reader.GetInt64(0);
            var age = reader.IsDBNull(1) ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Max(0, (double)reader.GetDecimal(1)));
            queues.Add(new { queue, direction, count, oldestSeconds = (long)age.TotalSeconds });
            if (count >= limits.BacklogWarningCount || (count > 0 && age >= limits.BacklogWarningAge))
                probe.Warnings.Add($"{direction} queue {queue} has a backlog of {count} message(s), the oldest {age:c} old " +
                    $"(warning at {limits.BacklogWarningCount} or {limits.BacklogWarningAge:c})");
        }
        answer["queues"] = queues;
        if (sweep.Last is { } last)
            answer["retention"] = new { lastSweepAt = last.SweptAt, removed = last.Outbound, removedDeadLetters = last.DeadLetters };
        return null;
    }
}
