using ComplianceEvents.Infrastructure;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;

namespace ComplianceEvents.Tests.Infrastructure;

/// <summary>
/// When /health stops naming a paused shard (PausedShards), fed the daemon's shard states as the tracker publishes them. A store
/// that is never connected: only its shard state tracker is used.
/// </summary>
public sealed class PausedShardsTests : IDisposable
{
    private const string Shard = "integration_events:All";
    private readonly DocumentStore _store = DocumentStore.For("Host=127.0.0.1;Port=1;Database=none");
    private readonly PausedShards _shards;

    public PausedShardsTests() => _shards = new PausedShards(_store);

    public void Dispose() => _store.Dispose();

    private static ShardState Paused(long position, long? at) => new(Shard, position)
    {
        Action = ShardAction.Paused,
        Failure = new ShardFailure
        {
            Category = at is null ? ShardFailureCategory.Other : ShardFailureCategory.EventSerialization, ExceptionType = "E",
            RootExceptionType = "E", Message = "boom", Detail = "E: boom", OccurredAt = DateTimeOffset.UnixEpoch,
            Event = at is { } s ? new EventFailureDetails { Sequence = s } : null,
        },
    };

    private async Task Publish(ShardState state)
    {
        await _store.Storage.Database.Tracker.PublishAsync(state);
        _shards.OnNext(state);
    }

    [Fact]
    public async Task a_poison_stays_named_across_restarts_until_progress_passes_it()
    {
        await _store.Storage.Database.Tracker.MarkHighWaterAsync(10);
        await Publish(Paused(7, at: 8));
        await Publish(new ShardState(Shard, 7) { Action = ShardAction.Started });
        await Publish(Paused(7, at: 8));
        var (shard, stuck) = Assert.Single(_shards.Current());
        Assert.Equal((Shard, 2, 8L), (shard, stuck.Attempts, stuck.Failure.Event!.Sequence));

        await Publish(new ShardState(Shard, 7) { Action = ShardAction.Started });
        Assert.Single(_shards.Current());
        await Publish(new ShardState(Shard, 8) { Action = ShardAction.Updated });
        Assert.Empty(_shards.Current());
    }

    [Fact]
    public async Task a_failure_of_no_one_event_is_over_once_the_daemon_runs_the_agent_again()
    {
        await _store.Storage.Database.Tracker.MarkHighWaterAsync(9);
        await Publish(Paused(5, at: null));
        await Publish(new ShardState(Shard, 5) { Action = ShardAction.Stopped });
        Assert.Single(_shards.Current());
        // Behind the high-water mark or not: ProjectionLag names a shard that stays behind.
        await Publish(new ShardState(Shard, 5) { Action = ShardAction.Started });
        Assert.Empty(_shards.Current());
    }

    [Fact]
    public async Task forgetting_is_for_a_log_emptied_whole()
    {
        await Publish(Paused(7, at: 8));
        _shards.Forget();
        Assert.Empty(_shards.Current());
    }
}
