using JasperFx.Events.Projections;
using Marten;
using Npgsql;

namespace ComplianceEvents.Infrastructure;

/// <summary>The shape of the read models a database holds; a database written before issue 20 holds no marker.</summary>
public sealed record ReadModelVersion(string Id, int Version)
{
    public const string Key = "read-models";

    /// <summary>2: lean Assessment snapshots beside one EvidenceText document per evidence item (issue 20).</summary>
    public const int Current = 2;
}

/// <summary>
/// Before the host serves anything, brings read models of an older shape up to <see cref="ReadModelVersion.Current"/> by
/// rebuilding every inline projection from the events (the events themselves never change): when the marker says an older
/// version, or, without a marker (a database written before markers, or one just emptied), when a module finds documents of
/// an older shape (<see cref="IStoreModule.OlderShapeQuery"/>). Then it stores the marker. Hosts starting together take turns
/// on an advisory lock, and the second finds the work done.
/// </summary>
public sealed class ReadModelUpgrade(IDocumentStore store, ILogger<ReadModelUpgrade> log) : IHostedService
{
    private const long LockKey = 0x436f6d706c52_4d; // "ComplR" "M": the read-model upgrade's advisory lock

    public Task StartAsync(CancellationToken ct) => Run(store, log, ct);

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>True when it rebuilt the read models.</summary>
    public static async Task<bool> Run(IDocumentStore store, ILogger log, CancellationToken ct)
    {
        await using (var probe = store.QuerySession())
            if ((await probe.LoadAsync<ReadModelVersion>(ReadModelVersion.Key, ct))?.Version >= ReadModelVersion.Current) return false;

        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using (var take = new NpgsqlCommand($"select pg_advisory_lock({LockKey})", connection)) await take.ExecuteNonQueryAsync(ct);
        try
        {
            await using var session = store.LightweightSession();
            var stored = await session.LoadAsync<ReadModelVersion>(ReadModelVersion.Key, ct);
            if (stored?.Version >= ReadModelVersion.Current) return false;
            var rebuild = stored is not null || await OlderShape(store, connection, ct);
            if (rebuild)
            {
                var names = store.Options.Events.Projections().Where(p => p.Lifecycle == ProjectionLifecycle.Inline)
                    .Select(p => p.Name).ToList();
                log.LogWarning("Read models are of version {Stored}, this code reads {Current}: rebuilding {Projections}",
                    stored?.Version ?? 1, ReadModelVersion.Current, string.Join(", ", names));
                using var daemon = await store.BuildProjectionDaemonAsync();
                foreach (var name in names) await daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(60), ct);
            }
            session.Store(new ReadModelVersion(ReadModelVersion.Key, ReadModelVersion.Current));
            await session.SaveChangesAsync(ct);
            return rebuild;
        }
        finally
        {
            await using var release = new NpgsqlCommand($"select pg_advisory_unlock({LockKey})", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task<bool> OlderShape(IDocumentStore store, NpgsqlConnection connection, CancellationToken ct)
    {
        // The tables may not exist yet on a database this code has not opened before.
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        foreach (var sql in Persistence.Modules.Select(m => m.OlderShapeQuery(store.Options)).OfType<string>())
        {
            await using var cmd = new NpgsqlCommand(sql, connection);
            if (await cmd.ExecuteScalarAsync(ct) is true) return true;
        }
        return false;
    }
}
