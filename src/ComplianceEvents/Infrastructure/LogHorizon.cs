using Marten;
using Npgsql;

namespace ComplianceEvents.Infrastructure;

/// <summary>A point of the event log below which nothing can be written any more: every sequence up to
/// <see cref="Sequence"/> is committed or abandoned, and every event stamped at or before <see cref="Time"/> is committed.</summary>
public sealed record SettledPoint(long Sequence, DateTimeOffset Time);

/// <summary>Transactions that were writing when the log was settled were still running after the wait.</summary>
public sealed class LogNotSettledException(TimeSpan waited, int running)
    : Exception($"{running} transaction(s) that may still write events below the current sequence were running after " +
        $"{waited.TotalSeconds:0.#} s; retry later.");

/// <summary>
/// The settled high-water mark of the event log (issue 21). A global sequence is taken from mt_events_sequence
/// when the appending transaction asks for it, but its event becomes visible only at commit: under concurrent
/// writers the highest visible sequence can have invisible, still-running sequences below it, so "as of the
/// highest sequence I can see" is not a point in time that stays put. Marten's daemon solves this for itself with a
/// gap-and-timeout heuristic; here the answer is exact:
/// <list type="number">
/// <item>read the sequence's last value S and the database clock T;</item>
/// <item>list every client transaction running now (their virtual transaction ids: every transaction has one, even a
/// read-only one, from its first statement to its end);</item>
/// <item>wait until each of them has ended.</item>
/// </list>
/// One kind of transaction is not waited for: one that holds an advisory lock and has written nothing yet. That is the
/// async daemon's leadership lock (a transaction held open for as long as the node leads, on a connection that never
/// appends); no path of ours appends events from a transaction holding an advisory lock.
/// Any other transaction holding a sequence at or below S, or stamping an event (Marten stamps the transaction's start,
/// <c>now()</c>) at or before T, was already running at step 1, so it is in the list of step 2; once they have all
/// ended nothing can ever appear at or below (S, T). The answer only grows, so it is cached: a point already known to
/// be settled costs one look at the sequence (which must not have gone backwards, as a reset or a restore would make it).
/// </summary>
public sealed class LogHorizon(IDocumentStore store, TimeProvider clock)
{
    /// <summary>How long a caller waits for the writers in flight before it is answered 503 (docs/api.md).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly object _gate = new();
    private SettledPoint _known = new(0, DateTimeOffset.MinValue);

    public SettledPoint Known
    {
        get { lock (_gate) return _known; }
    }

    /// <summary>Waits for every writer in flight now and returns the point it leaves settled.</summary>
    public async Task<SettledPoint> Settle(CancellationToken ct = default)
    {
        await using var conn = store.Storage.Database.CreateConnection();
        await conn.OpenAsync(ct);

        SettledPoint candidate;
        await using (var read = new NpgsqlCommand(SequenceSql("select clock_timestamp(),"), conn))
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            candidate = new SettledPoint(reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(0));
        }

        string[] running;
        await using (var list = new NpgsqlCommand(
            """
            select coalesce(array_agg(l.virtualxid), '{}')
            from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'virtualxid' and l.granted and l.pid <> pg_backend_pid()
              and a.backend_type = 'client backend' and a.datname = current_database()
              and not (a.backend_xid is null and exists (
                select 1 from pg_locks h where h.pid = l.pid and h.locktype = 'advisory' and h.granted))
            """, conn))
            running = (string[])(await list.ExecuteScalarAsync(ct))!;

        var started = clock.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(1);
        while (running.Length > 0)
        {
            await using var poll = new NpgsqlCommand(
                "select coalesce(array_agg(virtualxid), '{}') from pg_locks where locktype = 'virtualxid' and granted and virtualxid = " +
                    "any(@running)", conn);
            poll.Parameters.AddWithValue("running", running);
            running = (string[])(await poll.ExecuteScalarAsync(ct))!;
            if (running.Length == 0) break;
            var waited = clock.GetElapsedTime(started);
            if (waited > MaxWait) throw new LogNotSettledException(waited, running.Length);
            await Task.Delay(delay, ct);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 50));
        }

        lock (_gate) _known = candidate;
        return candidate;
    }

    /// <summary>
    /// Null when a read as of this sequence or time will give the same answer forever; otherwise why not (a point
    /// beyond what the log has settled: the future, or a sequence not yet handed out).
    /// </summary>
    public async Task<string?> Unsettled(long? sequence, DateTimeOffset? time, CancellationToken ct = default)
    {
        if (sequence is null && time is null) return null;
        // The last settled point still stands while the log has not gone backwards (a database reset or restore would).
        if (Covers(Known, sequence, time) && await LastSequence(ct) >= Known.Sequence) return null;
        var settled = await Settle(ct);
        if (Covers(settled, sequence, time)) return null;
        return sequence is { } s && s > settled.Sequence
            ? $"sequence {s} is beyond the log's settled high-water mark {settled.Sequence}: what it holds is not known yet"
            : $"time {time:O} is after the database's clock ({settled.Time:O}): what it holds is not known yet";
    }

    private async Task<long> LastSequence(CancellationToken ct)
    {
        await using var conn = store.Storage.Database.CreateConnection();
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(SequenceSql("select"), conn);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private string SequenceSql(string select) =>
        $"{select} case when is_called then last_value else 0 end from {store.Options.Events.DatabaseSchemaName}.mt_events_sequence";

    private static bool Covers(SettledPoint p, long? sequence, DateTimeOffset? time) =>
        (sequence is null || sequence <= p.Sequence) && (time is null || time <= p.Time);
}
