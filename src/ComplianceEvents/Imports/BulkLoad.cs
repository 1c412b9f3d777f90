using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using ComplianceEvents.Assessments;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports.CheckingDrift;
using ComplianceEvents.Reports.GettingScores;
using JasperFx.Events;
using Marten;
using Marten.Events;
using Npgsql;
using Weasel.Core;

namespace ComplianceEvents.Imports;

/// <summary>
/// <c>import --bulk</c> (docs/import-format.md): the steps of a file that creates a new cycle, decided in memory by
/// <see cref="ImportTransaction"/> as for the normal import, then written without the per-event append: the events with
/// Marten's bulk event insert (binary COPY, one transaction), then the read models the in-memory fold already holds.
/// </summary>
public static class BulkLoad
{
    public const string MeterName = "ComplianceEvents.Imports", PhaseMetric = "compliance.import.bulk.phase.duration";
    private static readonly Meter Meter = new(MeterName);

    /// <summary>How long each write of a bulk import took, tagged <c>phase</c> = <c>events</c> (the bulk event insert) or
    /// <c>read-models</c> (receipts, snapshots, scores and texts), for operators and the bench (B1e).</summary>
    public static readonly Histogram<double> PhaseSeconds =
        Meter.CreateHistogram<double>(PhaseMetric, "s", "Duration of each write of import --bulk");

    private static void Took(string phase, long started) =>
        PhaseSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("phase", phase));

    /// <summary>One line naming the cycle when any stream of it exists: the bulk path creates streams and appends to none.</summary>
    public static async Task<string?> Existing(IDocumentStore store, string cycleId, CancellationToken ct)
    {
        await using var conn = store.Storage.Database.CreateConnection();
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"select exists (select 1 from {store.Options.Events.DatabaseSchemaName}.mt_streams where id = @cycle " +
            "or left(id, length(@commitment)) = @commitment or left(id, length(@assessment)) = @assessment)", conn);
        cmd.Parameters.AddWithValue("cycle", Cycles.Cycle.StreamKey(cycleId));
        cmd.Parameters.AddWithValue("commitment", $"commitment:{cycleId}:");
        cmd.Parameters.AddWithValue("assessment", $"assessment:{cycleId}:");
        return (bool)(await cmd.ExecuteScalarAsync(ct))! ? Refusal(cycleId) : null;
    }

    private static string Refusal(string cycleId) =>
        $"cycle {cycleId} already exists: --bulk only creates new cycles; import the file without --bulk to add to it";

    /// <summary>
    /// Writes what <paramref name="tx"/> decided and ends it (its reads are done). Null when written; otherwise the one-line
    /// refusal (the cycle was created meanwhile), with nothing written.
    /// </summary>
    public static async Task<string?> Write(IDocumentStore store, ImportTransaction tx, string cycleId, CancellationToken ct)
    {
        var events = tx.DecidedEvents();
        var receipts = tx.DecidedReceipts();
        var folded = tx.Folded().ToList();
        await tx.DisposeAsync();

        // No aggregate type, as the normal append leaves it (mt_streams.type null).
        var headers = events.GroupBy(e => e.StreamKey!)
            .Select(g => new BulkEventStreamHeader { Key = g.Key, Version = g.Count() }).ToList();
        var started = Stopwatch.GetTimestamp();
        try
        {
            // One block of exactly as many sequence numbers as events: a larger last block would leave numbers no event
            // ever takes, which the async daemon's high-water detection waits on as if an append were in flight. The numbers
            // are drawn inside the insert's transaction, so a concurrent writer's numbers interleave but none is lost, and
            // LogHorizon sees the insert as a writer in flight until it commits (ADR 0003).
            await store.BulkInsertEventStreamAsync(JasperFx.StorageConstants.DefaultTenantId, headers, Stamped(store, events, ct),
                batchSize: Math.Max(events.Count, 1), cancellation: ct);
        }
        catch (Exception e) when (Duplicate(e))
        {
            return Refusal(cycleId);
        }
        Took("events", started);

        // The read models, as the inline projections would have written them on a normal commit (BulkImportTests compares):
        // the snapshots from the fold, each cell's score from its assessment, each evidence item's text. Inserted, not
        // upserted: a command that reached a new stream between the two commits has already written its own, later
        // snapshot, and then the cycle's read models are rebuilt from their events instead (as `repair` does, each stream
        // locked).
        started = Stopwatch.GetTimestamp();
        try
        {
            // Each evidence item's text as its last recording or amendment left it (the EvidenceText projection's rule).
            var texts = events.Select(e => EvidenceText.From(e.StreamKey!, e.Data)).OfType<EvidenceText>()
                .GroupBy(t => t.Id).Select(g => g.Last());
            var scores = folded.Select(f => f.State).OfType<Assessment>()
                .Select(a => new CellScore(a.Id, a.CycleId, a.CommitmentId, a.MemberCode, a.Approved?.Score, a.Approved?.RubricVersion));
            // With COPY, in one transaction (one per document type would leave half the read models on a failure).
            await store.BulkInsertDocumentsAsync(
                receipts.Concat(folded.Select(f => f.State)).Concat(scores).Concat(texts).ToList(), BulkInsertMode.InsertsOnly,
                batchSize: 5_000, cancellation: ct);
        }
        catch (Exception e) when (Duplicate(e))
        {
            await using (var session = store.LightweightSession())
            {
                session.Store(receipts.ToArray());
                await session.SaveChangesAsync(ct);
            }
            var drift = new ReadModelDrift(store, TimeProvider.System);
            await drift.Repair((await drift.Check(cycleId, ct)).Drifts, ct);
        }
        Took("read-models", started);
        return null;
    }

    /// <summary>A row that exists already: COPY reports PostgreSQL's unique violation itself, Marten's writes their own
    /// conflict exceptions.</summary>
    private static bool Duplicate(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } || CommandRunner.IsConflict(e);

    /// <summary>
    /// The events, each stamped with one time read from the database clock when the bulk insert asks for its first event:
    /// after its transaction began (it has written the stream rows by then), so a point of the log settled before that
    /// transaction (LogHorizon) can never cover a time these events carry.
    /// </summary>
    private static async IAsyncEnumerable<IEvent> Stamped(IDocumentStore store, IReadOnlyList<IEvent> events,
        [EnumeratorCancellation] CancellationToken ct)
    {
        DateTimeOffset now;
        await using (var conn = store.Storage.Database.CreateConnection())
        {
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("select clock_timestamp()", conn);
            now = (DateTime)(await cmd.ExecuteScalarAsync(ct))!;
        }
        foreach (var e in events)
        {
            e.Timestamp = now;
            yield return e;
        }
    }
}
