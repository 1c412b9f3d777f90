using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events;

namespace ComplianceEvents.Benchmarks.Data;

/// <summary>
/// The fastest load the product's store offers (the bench's background data; B1e measures the product's import --bulk):
/// Marten's streaming bulk event insert (binary COPY, in the given global order) through the product's own IDocumentStore, followed by
/// a rebuild of the product's projections. It bypasses the handlers and inline projections, which is why the
/// projections are rebuilt afterwards; the events themselves come from the product's decisions (Simulator).
/// </summary>
public static class BulkLoader
{
    public const string Tenant = "*DEFAULT*";

    public static async Task<long> Load(IDocumentStore store, string connectionString, IReadOnlyList<SimEvent> ordered, CancellationToken ct = default)
    {
        var headers = ordered.GroupBy(e => e.StreamKey)
            .Select(g => new BulkEventStreamHeader { Key = g.Key, Version = g.Max(e => e.Version), AggregateType = AggregateOf(g.Key) })
            .ToList();
        await using var session = store.LightweightSession();
        var events = ordered.Select(e => Wrap(session, e)).ToList();
        await store.BulkInsertEventStreamAsync(Tenant, headers, Stream(events), batchSize: 5_000, cancellation: ct);
        await CloseSequenceGap(connectionString, ct);
        return events.Count;
    }

    /// <summary>
    /// The bulk insert reserves sequence numbers by blocks of batchSize; the unused end of the last block looks to the
    /// async daemon's high-water detection like an append still in flight, and every rebuild would then wait the stale
    /// threshold (~5 s) before skipping it. Nothing else writes during a bulk load, so the sequence is set back to
    /// the last number used, and the rebuilds measure rebuilding.
    /// </summary>
    private static async Task CloseSequenceGap(string connectionString, CancellationToken ct)
    {
        await using var conn = new Npgsql.NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new Npgsql.NpgsqlCommand(
            "select setval('compliance.mt_events_sequence', (select max(seq_id) from compliance.mt_events)) "
            + "where (select last_value from compliance.mt_events_sequence) > (select max(seq_id) from compliance.mt_events)", conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async IAsyncEnumerable<IEvent> Stream(IEnumerable<IEvent> events)
    {
        foreach (var e in events) yield return e;
        await Task.CompletedTask;
    }

    /// <summary>The metadata CommandRunner puts on every event: who, which command, correlation and causation.</summary>
    private static IEvent Wrap(IDocumentSession session, SimEvent e)
    {
        var wrapped = session.Events.BuildEvent(e.Data);
        wrapped.Id = Guid.NewGuid();
        wrapped.StreamKey = e.StreamKey;
        wrapped.Version = e.Version;
        wrapped.Timestamp = e.Timestamp;
        wrapped.TenantId = Tenant;
        wrapped.CorrelationId = $"bulk-{e.Command}";
        wrapped.CausationId = wrapped.CorrelationId;
        wrapped.SetHeader("user-id", e.User);
        wrapped.SetHeader("command", e.Command);
        return wrapped;
    }

    public static Type AggregateOf(string streamKey) => streamKey[..streamKey.IndexOf(':')] switch
    {
        "cycle" => typeof(Cycle),
        "commitment" => typeof(Commitment),
        _ => typeof(Assessment),
    };

    /// <summary>The product's projections (Persistence.Configure registers them inline), rebuilt one after another.</summary>
    public static IReadOnlyList<string> ProductProjections(IDocumentStore store) =>
        store.Options.Events.Projections().Where(p => p.Lifecycle != JasperFx.Events.Projections.ProjectionLifecycle.Async).Select(p => p.Name).ToList();

    /// <summary>
    /// Rebuilds the projections one after another (Assessment, the costly one, last), reporting each one's time as it
    /// finishes. Marten's rebuild does not observe a cancellation token mid-way, so the time box stops the daemon's
    /// agents instead and throws <see cref="TimeoutException"/> once the rebuild has returned.
    /// </summary>
    public static async Task<IReadOnlyList<(string Projection, TimeSpan Took)>> Rebuild(IDocumentStore store, IReadOnlyList<string> projections,
        TimeSpan? timeBox = null, Action<string, TimeSpan>? finished = null)
    {
        using var daemon = await store.BuildProjectionDaemonAsync();
        var took = new List<(string, TimeSpan)>();
        var total = System.Diagnostics.Stopwatch.StartNew();
        foreach (var name in projections.OrderBy(p => p == "Assessment"))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var rebuild = daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(60), CancellationToken.None);
            var left = timeBox is { } box ? box - total.Elapsed : Timeout.InfiniteTimeSpan;
            if (left != Timeout.InfiniteTimeSpan && (left <= TimeSpan.Zero || await Task.WhenAny(rebuild, Task.Delay(left)) != rebuild))
            {
                await daemon.StopAllAsync();
                try { await rebuild.WaitAsync(TimeSpan.FromMinutes(2)); }
                catch (Exception e) when (e is not TimeoutException) { }
                throw new TimeoutException($"The rebuild of {name} was stopped after {total.Elapsed.TotalSeconds:0} s.");
            }
            await rebuild;
            took.Add((name, clock.Elapsed));
            finished?.Invoke(name, clock.Elapsed);
        }
        return took;
    }

    /// <summary>
    /// The rebuild settings the bench tries for B3 (bench-side, the product's Persistence.Configure does not set them):
    /// pages of 5,000 events instead of 500, and rebuild writes deferred so each snapshot is written once per flush
    /// instead of once per page it appears in.
    /// </summary>
    public static void TunedRebuilds(Microsoft.Extensions.DependencyInjection.IServiceCollection services) =>
        services.ConfigureMarten(o =>
        {
            foreach (var projection in o.Projections.All)
            {
                projection.Options.BatchSize = 5_000;
                projection.Options.RebuildFlushThreshold = 1_000_000;
            }
        });
}
