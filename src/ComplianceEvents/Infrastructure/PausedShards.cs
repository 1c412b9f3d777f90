using System.Collections.Concurrent;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// /health's check of the async daemon's agents (the integration publisher, and any asynchronous projection): one that failed on
/// an event is paused there, never past it (Persistence: nothing is skipped), and is unhealthy, named with the event and the
/// error, until its progress passes that event. The failures are taken from the daemon's shard states as they are published
/// (the database's ShardStateTracker), not from the agents: the coordinator restarts a paused agent every few seconds, and the
/// new agent holds no failure until it fails again, so a poll of the agents would see a poison come and go. Only the node that
/// runs the daemon (HotCold) knows the failure; every node's ProjectionLag still shows the shard behind.
/// Dead-lettered events are reported too: with skipping off there should be none, and one would be an event some agent skipped.
/// </summary>
public sealed class PausedShards(IDocumentStore store) : IStatusCheck, IHostedService, IObserver<ShardState>
{
    /// <summary>A failure and how often it recurred: <paramref name="Position"/> is the agent's committed progress then.</summary>
    internal sealed record Stuck(ShardFailure Failure, long Position, int Attempts, DateTimeOffset Since);

    private readonly ConcurrentDictionary<string, Stuck> _stuck = new();
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken ct)
    {
        _subscription = store.Storage.Database.Tracker.Subscribe(this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    public void OnNext(ShardState state)
    {
        if (state.Failure is { } failure && state.Action is ShardAction.Paused or ShardAction.Stopped)
            _stuck.AddOrUpdate(state.ShardName, _ => new Stuck(failure, state.Sequence, 1, failure.OccurredAt),
                (_, old) => old with { Failure = failure, Position = state.Sequence, Attempts = old.Attempts + 1 });
        // A poison is cleared only by progress past the event that failed. A failure of no one event (the database away, two
        // processes' progressions crossing) is over when the daemon runs the agent again; ProjectionLag still names a shard
        // that stays behind, and the database check an outage.
        else if (_stuck.TryGetValue(state.ShardName, out var stuck) && (stuck.Failure.Event is { } failed
                     ? state.Action == ShardAction.Updated && state.Sequence >= failed.Sequence
                     : state.Action is ShardAction.Started or ShardAction.Updated))
            _stuck.TryRemove(state.ShardName, out _);
    }

    public void OnError(Exception error) { }

    public void OnCompleted() { }

    /// <summary>The shards still stuck, by name.</summary>
    internal IReadOnlyList<(string Shard, Stuck Stuck)> Current() =>
        _stuck.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)).ToList();

    /// <summary>For throwaway databases emptied whole (tests, the bench): the failures of the log that is gone go with it.</summary>
    public void Forget() => _stuck.Clear();

    public async Task<string?> Check(HealthProbe probe, IDictionary<string, object?> answer, CancellationToken ct)
    {
        var paused = new List<object>();
        var reasons = new List<string>();
        foreach (var (shard, stuck) in Current())
        {
            var sequence = stuck.Failure.Event?.Sequence;
            var stored = sequence is { } s ? await StoredEvent(probe, s, ct) : null;
            var error = Root(stuck.Failure);
            paused.Add(new
            {
                shard, position = stuck.Position, since = stuck.Since, lastFailedAt = stuck.Failure.OccurredAt,
                attempts = stuck.Attempts, category = stuck.Failure.Category.ToString(),
                @event = sequence is null ? null
                    : new { sequence, stream = stored?.Stream, version = stored?.Version, type = stored?.Type },
                error,
            });
            var type = stored?.Type ?? stuck.Failure.Event?.EventTypeName;
            var at = sequence is null
                ? $"after event #{stuck.Position}"
                : $"at event #{sequence} ({type}, stream {stored?.Stream}, version {stored?.Version})";
            reasons.Add($"{shard} is paused {at}, nothing after it is processed until it succeeds (failed {stuck.Attempts} times since " +
                $"{stuck.Since:O}): {error}");
        }
        answer["paused"] = paused;
        if (await DeadLetters(probe, ct) is { } deadLetters) reasons.Add(deadLetters);
        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    /// <summary>
    /// The inner exceptions' types and messages, outermost first (the " ---> " parts of its text): what an operator fixes. The
    /// outermost is the daemon's wrapper and only says where it happened ("Failure while trying to load events for ...").
    /// </summary>
    private static string Root(ShardFailure failure)
    {
        var parts = failure.Detail.Split(" ---> ").Select(p => p.Split('\n', 2)[0].Trim()).ToList();
        var root = string.Join(" ---> ", parts.Count > 1 ? parts.Skip(1) : parts);
        return root.Length > 600 ? root[..600] + "..." : root;
    }

    private sealed record Stored(string Stream, long Version, string Type);

    private static async Task<Stored?> StoredEvent(HealthProbe probe, long sequence, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"select stream_id, version, type from {probe.Schema}.mt_events where seq_id = @s",
            probe.Connection);
        cmd.Parameters.AddWithValue("s", sequence);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new Stored(reader.GetString(0), reader.GetInt64(1), reader.GetString(2)) : null;
    }

    /// <summary>Marten's dead letters (mt_doc_deadletterevent): each one an event an agent skipped.</summary>
    private static async Task<string?> DeadLetters(HealthProbe probe, CancellationToken ct)
    {
        var table = $"{probe.Schema}.mt_doc_deadletterevent";
        await using var exists = new NpgsqlCommand($"select to_regclass('{table}') is not null", probe.Connection);
        if (!(bool)(await exists.ExecuteScalarAsync(ct))!) return null;
        await using var cmd = new NpgsqlCommand($"select count(*), min((data ->> 'EventSequence')::bigint) from {table}", probe.Connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var count = reader.GetInt64(0);
        var first = reader.IsDBNull(1) ? "?" : reader.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return count == 0 ? null
            : $"{count} {(count == 1 ? "event was" : "events were")} dead-lettered (skipped by an asynchronous agent), the first #{first}";
    }
}
