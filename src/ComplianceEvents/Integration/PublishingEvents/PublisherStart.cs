using ComplianceEvents.Infrastructure;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;

namespace ComplianceEvents.Integration.PublishingEvents;

/// <summary>
/// Where the publisher starts on a database it has never run on, decided once and stored before anything appends: its
/// progress row (mt_event_progression) is written at the log's settled point, so it never replays what an earlier version
/// published through the outbox, and it never skips an event appended after this point. Deciding it in the daemon instead
/// ("from the present" whenever no row exists) lost the events of a first host that crashed before its publisher's first
/// page committed: the next host found no row and started after them (CrashAfterCommitTests). Every process that can
/// append (the server and each CLI command) runs this first; the row is written once (the first writer wins), and only
/// over a log that holds something.
/// </summary>
public sealed class PublisherStart(IDocumentStore store, LogHorizon horizon, ILogger<PublisherStart> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        var shard = new ShardName(IntegrationPublisher.Name, ShardName.All, 1).Identity;
        var table = $"{store.Options.Events.DatabaseSchemaName}.mt_event_progression";
        await store.Storage.Database.EnsureStorageExistsAsync(typeof(JasperFx.Events.IEvent), ct);
        if (await Exists(table, shard, ct)) return;

        var from = (await horizon.Settle(ct)).Sequence;
        // An empty log needs no row: the daemon starts from the beginning, and Marten takes a stored 0 for "no row yet" (it
        // would insert its own at the first page and collide with ours).
        if (from == 0) return;
        await using var conn = store.Storage.Database.CreateConnection();
        await conn.OpenAsync(ct);
        await using var insert = new NpgsqlCommand(
            $"insert into {table} (name, last_seq_id) values (@name, @from) on conflict (name) do nothing", conn);
        insert.Parameters.AddWithValue("name", shard);
        insert.Parameters.AddWithValue("from", from);
        if (await insert.ExecuteNonQueryAsync(ct) == 1)
            log.LogInformation("Integration events are published from sequence {From} on (the log's settled point at first start)",
                from + 1);
    }

    private async Task<bool> Exists(string table, string shard, CancellationToken ct)
    {
        await using var conn = store.Storage.Database.CreateConnection();
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"select exists (select 1 from {table} where name = @name)", conn);
        cmd.Parameters.AddWithValue("name", shard);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
