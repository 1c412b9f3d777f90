using System.Text.Json;
using Marten;
using Npgsql;
using static ComplianceEvents.Infrastructure.Chain.EventChain;

namespace ComplianceEvents.Infrastructure.Chain;

/// <summary>A place where the log and its chain disagree: the first one is where the record stopped being what was written.</summary>
public sealed record ChainBreak(long Sequence, string? Stream, long? Version, string Kind, string Detail)
{
    public override string ToString() =>
        $"{Kind} at sequence {Sequence}{(Stream is null ? "" : $" (stream {Stream}{(Version is { } v ? $" version {v}" : "")})")}: " +
        Detail;
}

/// <summary>What a verification checked and found. <see cref="Unchained"/> events are newer than the chain (it extends them
/// within about a second); they are checked by the next verification.</summary>
public sealed record ChainReport(string Mode, bool Intact, long FromSequence, long ChainedThrough, long EventsChecked,
    int CheckpointsChecked, long Unchained, DateTimeOffset VerifiedAt, IReadOnlyList<ChainBreak> Breaks)
{
    public ChainBreak? FirstBreak => Breaks.Count > 0 ? Breaks[0] : null;
}

/// <summary>
/// verify-log (docs/reliability.md "The tamper-evident record"): redoes the chain over the log, from the start or from the last
/// checkpoint a verification found intact, and names every place (up to <see cref="MaxBreaks"/>) where it disagrees:
/// an event edited (its data or any metadata field, named with both values), moved or renumbered, deleted, inserted below the
/// chained point, a chain row deleted or rewritten (its signature), a stream's tail cut (the signed heads of a checkpoint, the
/// stream's recorded version), a checkpoint deleted or rewritten (the checkpoints' own signature chain).
/// </summary>
public sealed class ChainVerifier(IDocumentStore store, ChainKey key, ChainStatus status, TimeProvider clock)
{
    public const int MaxBreaks = 20;
    private readonly object _flight = new();
    private Task<ChainReport>? _full;

    /// <summary>
    /// Extends the chain and verifies the whole log, once for every caller that asks while one such run is under way (an
    /// edition's verification asks on each request: many at once cost one walk of the log).
    /// </summary>
    public Task<ChainReport> ExtendAndVerifyShared(Chainer chainer, CancellationToken ct)
    {
        lock (_flight)
        {
            if (_full is not { IsCompleted: false })
                _full = Task.Run(async () =>
                {
                    await chainer.Extend(CancellationToken.None);
                    return await Verify(incremental: false, CancellationToken.None);
                }, CancellationToken.None);
            return _full.WaitAsync(ct);
        }
    }

    public async Task<ChainReport> Verify(bool incremental, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using var conn = store.Storage.Database.CreateConnection();
        await conn.OpenAsync(ct);
        // One snapshot for the whole check (repeatable read): the chain's extension meanwhile is not half seen.
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var run = new Run(key, schema);
        var start = incremental ? await StartingPoint(conn, schema, ct) : null;
        if (start is not null) run.StartAfter(start);

        var checkpoints = await run.LoadCheckpoints(conn, ct);
        var chainedThrough = (long)(await Chainer.Scalar(conn, $"select coalesce(max(seq_id), 0) from {schema}.{EventChain.Rows}", ct))!;
        await run.Rows(conn, store.Options.Events.DatabaseSchemaName, chainedThrough, checkpoints, ct);
        if (start is null) await run.StreamVersions(conn, store.Options.Events.DatabaseSchemaName, ct);
        var unchained = (long)(await Chainer.Scalar(conn, $"select count(*) from {store.Options.Events.DatabaseSchemaName}.mt_events " +
            $"where seq_id > {chainedThrough}", ct))!;
        await tx.CommitAsync(ct);

        var at = clock.GetUtcNow();
        var report = new ChainReport(start is null ? "full" : "incremental", run.Breaks.Count == 0, start?.Through ?? 0, chainedThrough,
            run.Events, checkpoints.Count, unchained, at, run.Breaks.OrderBy(b => b.Sequence).Take(MaxBreaks).ToList());
        if (report.Intact && run.LastCheckpoint is { } last) await Record(last, report.Mode, at, ct);
        status.Report(report, report.Intact ? run.LastCheckpoint : null);
        return report;
    }

    /// <summary>The newest checkpoint a verification found intact, known to this process or recorded (signed) in the database, that
    /// still stands as it was; null for a full verification.</summary>
    private async Task<VerifiedCheckpoint?> StartingPoint(NpgsqlConnection conn, string schema, CancellationToken ct)
    {
        var candidates = new List<VerifiedCheckpoint>();
        if (status.LastVerified is { } known) candidates.Add(known);
        await using (var cmd = Sql($"select checkpoint_id, global_hash, verified_at, key_id, signature from {schema}." +
            $"{EventChain.Verifications} order by id desc limit 1", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            if (await r.ReadAsync(ct) && r.GetString(3) == key.Id && ChainHashing.VerificationMac(key, r.GetInt64(0),
                    r.GetFieldValue<byte[]>(1), r.GetFieldValue<DateTimeOffset>(2)).AsSpan().SequenceEqual(r.GetFieldValue<byte[]>(4)))
                candidates.Add(new VerifiedCheckpoint(r.GetInt64(0), 0, r.GetFieldValue<byte[]>(1), []));
        foreach (var candidate in candidates.OrderByDescending(c => c.Id))
        {
            await using var cmd = Sql("select through_seq_id, global_hash, signature from " +
                $"{schema}.{EventChain.Checkpoints} where id = @id", conn);
            cmd.Parameters.AddWithValue("id", candidate.Id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct) && r.GetFieldValue<byte[]>(1).AsSpan().SequenceEqual(candidate.Global))
                return candidate with { Through = r.GetInt64(0), Signature = r.GetFieldValue<byte[]>(2) };
        }
        return null;
    }

    private async Task Record(VerifiedCheckpoint checkpoint, string mode, DateTimeOffset at, CancellationToken ct)
    {
        await using var conn = store.Storage.Database.CreateConnection();
        await conn.OpenAsync(ct);
        await using var cmd = Sql($"insert into {store.Options.DatabaseSchemaName}.{EventChain.Verifications} " +
            "(checkpoint_id, global_hash, verified_at, mode, key_id, signature) values (@id, @global, @at, @mode, @key, @signature)", conn);
        cmd.Parameters.AddWithValue("id", checkpoint.Id);
        cmd.Parameters.AddWithValue("global", checkpoint.Global);
        // Stored as PostgreSQL keeps it (microseconds), so the signature checks against what is read back.
        var stored = new DateTimeOffset(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);
        cmd.Parameters.AddWithValue("at", stored);
        cmd.Parameters.AddWithValue("mode", mode);
        cmd.Parameters.AddWithValue("key", key.Id);
        cmd.Parameters.AddWithValue("signature", ChainHashing.VerificationMac(key, checkpoint.Id, checkpoint.Global, stored));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private sealed record CheckpointRow(long Id, long From, long Through, int Events, byte[] Global, List<StreamHead> Heads, string KeyId,
        byte[] Signature);

    /// <summary>One verification's walk: the chain state carried from row to row, and what it found.</summary>
    private sealed class Run(ChainKey key, string schema)
    {
        private readonly Dictionary<string, (long Version, byte[] Hash)> _streams = new();
        private byte[]? _global;
        private long _lastChained;
        private byte[]? _checkpointMac;
        private long _checkpointId;

        public List<ChainBreak> Breaks { get; } = [];
        public long Events { get; private set; }
        public VerifiedCheckpoint? LastCheckpoint { get; private set; }

        public void StartAfter(VerifiedCheckpoint start)
        {
            (_global, _lastChained, _checkpointMac, _checkpointId) = (start.Global, start.Through, start.Signature, start.Id);
            LastCheckpoint = start;
        }

        public async Task<List<CheckpointRow>> LoadCheckpoints(NpgsqlConnection conn, CancellationToken ct)
        {
            var list = new List<CheckpointRow>();
            await using var cmd = Sql($"select id, from_seq_id, through_seq_id, events, global_hash, heads::text, key_id, " +
                $"signature from {schema}.{EventChain.Checkpoints} where id > @after order by id", conn);
            cmd.Parameters.AddWithValue("after", _checkpointId);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                list.Add(new CheckpointRow(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt32(3), r.GetFieldValue<byte[]>(4),
                    Checkpoint.ParseHeads(r.GetString(5)), r.GetString(6), r.GetFieldValue<byte[]>(7)));
            return list;
        }

        public async Task Rows(NpgsqlConnection conn, string eventSchema, long through, List<CheckpointRow> checkpoints,
            CancellationToken ct)
        {
            await using var cmd = Sql(
                $"""
                select c.seq_id, c.stream_id, c.version, c.type, c.data_hash, c.metadata::text, c.event_hash, c.previous_hash,
                  c.previous_seq_id, c.global_hash, c.key_id, c.signature, c.chained_at, e.{StoredEvents.Columns.Replace(", ", ", e.")}
                from (select * from {schema}.{EventChain.Rows} where seq_id > @after and seq_id <= @through) c
                full join (select * from {eventSchema}.mt_events where seq_id > @after and seq_id <= @through) e on e.seq_id = c.seq_id
                order by coalesce(c.seq_id, e.seq_id)
                """, conn);
            cmd.Parameters.AddWithValue("after", _lastChained);
            cmd.Parameters.AddWithValue("through", through);
            var pending = new Queue<CheckpointRow>(checkpoints);
            var heads = new Dictionary<string, StreamHead>();
            if (_lastChained > 0) await HeadsBeforeStart(conn, ct);
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct))
                {
                    var row = r.IsDBNull(0) ? null : ChainRow.From(r);
                    var e = r.IsDBNull(13) ? null : StoredEvents.From(r, 13);
                    var seq = row?.Sequence ?? e!.Sequence;
                    while (pending.TryPeek(out var cp) && cp.Through < seq) CloseCheckpoint(pending.Dequeue(), heads);
                    if (row is null)
                    {
                        // A tombstone may be written below the chained point: after its failed append ended, so after the
                        // settle that let the chain pass (EventChain.TombstoneStream).
                        if (e!.Stream == EventChain.TombstoneStream && e.Type == EventChain.TombstoneType) continue;
                        Add(seq, e!.Stream, e.Version, "not-in-chain", "an event the chain never recorded, at a sequence the chain had " +
                            "passed: inserted afterwards (forged), or written past the chain");
                        continue;
                    }
                    Events++;
                    Check(row, e);
                    heads[row.Stream] = new StreamHead(row.Stream, row.Version, row.EventHash);
                }
            while (pending.TryDequeue(out var cp)) CloseCheckpoint(cp, heads);
        }

        /// <summary>An incremental start: each stream's last chained row before it, signed and verified then, is where it goes
        /// on.</summary>
        private async Task HeadsBeforeStart(NpgsqlConnection conn, CancellationToken ct)
        {
            await using var cmd = Sql($"select distinct on (stream_id) stream_id, version, event_hash from {schema}." +
                $"{EventChain.Rows} where seq_id <= @after and stream_id in (select stream_id from {schema}.{EventChain.Rows} " +
                "where seq_id > @after) order by stream_id, version desc", conn);
            cmd.Parameters.AddWithValue("after", _lastChained);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) _streams[r.GetString(0)] = (r.GetInt64(1), r.GetFieldValue<byte[]>(2));
        }

        private void Check(ChainRow row, StoredEvent? e)
        {
            if (row.KeyId != key.Id)
                Add(row, "other-key", $"signed with key {row.KeyId}; this host holds key {key.Id} (Chain:Key): verify with the key " +
                    "that signed it");
            else if (!ChainHashing.RowMac(key, row.Sequence, row.EventHash, row.Global).AsSpan().SequenceEqual(row.Signature))
                Add(row, "signature", "the chain row's signature does not match its hashes: the row was written or rewritten " +
                    "without the key");
            if (row.PreviousSequence != (_lastChained == 0 ? null : _lastChained))
            {
                var deleted = row.PreviousSequence > _lastChained;
                Add(deleted ? row.PreviousSequence!.Value : row.Sequence, "chain-gap", deleted
                    ? $"the chain row of sequence {row.Sequence} follows sequence {row.PreviousSequence}, but the chain before it " +
                      $"ends at {_lastChained}: the rows (and events) between were deleted"
                    : $"the chain row of sequence {row.Sequence} follows sequence {row.PreviousSequence?.ToString() ?? "none"}, " +
                      $"not {_lastChained}");
            }
            else if (!ChainHashing.GlobalHash(_global, row.Sequence, row.EventHash).AsSpan().SequenceEqual(row.Global))
                Add(row, "global-link", "the global hash does not follow from the previous row's");
            _global = row.Global;
            _lastChained = row.Sequence;
            CheckStreamOnly(row, e);
        }

        private void CheckStreamOnly(ChainRow row, StoredEvent? e)
        {
            var previous = _streams.TryGetValue(row.Stream, out var p) ? p : ((long, byte[])?)null;
            // Marten numbers a tombstone by its sequence (EventChain.TombstoneStream): only the link to the previous one holds.
            if (row.Stream != EventChain.TombstoneStream && (previous?.Item1 ?? 0) + 1 != row.Version)
                Add(row, "version-gap", $"the stream's chain goes from version {previous?.Item1 ?? 0} to {row.Version}");
            else if (!(row.PreviousHash ?? ChainHashing.Zero).AsSpan().SequenceEqual(previous?.Item2 ?? ChainHashing.Zero))
                Add(row, "stream-link", "the stream's previous hash is not the hash of its previous version");
            _streams[row.Stream] = (row.Version, row.EventHash);

            if (e is null)
            {
                Add(row, "missing", $"the event (type {row.Type}, chained at {row.ChainedAt:O}) is gone from the log: deleted");
                return;
            }
            if (e.Stream != row.Stream || e.Version != row.Version || e.Type != row.Type)
                Add(row, "moved", $"chained as stream {row.Stream} version {row.Version} type {row.Type}; the log now has " +
                    $"stream {e.Stream} version {e.Version} type {e.Type}");
            else if (!ChainHashing.DataHash(e.Data).AsSpan().SequenceEqual(row.DataHash))
                Add(row, "data", "the event's data differs from what was chained");
            else if (e.Metadata.FirstOrDefault(m => row.Metadata.GetValueOrDefault(m.Field) != m.Value) is { Field: { } field } changed)
                Add(row, "metadata",
                    $"{field} differs: chained {Quote(row.Metadata.GetValueOrDefault(field))}, now {Quote(changed.Value)}");
            else if (!ChainHashing.EventHash(e, row.DataHash, row.PreviousHash).AsSpan().SequenceEqual(row.EventHash))
                Add(row, "hash", "the event's hash does not match its recorded content");
        }

        private void CloseCheckpoint(CheckpointRow cp, Dictionary<string, StreamHead> heads)
        {
            if (cp.Id != _checkpointId + 1)
                Add(cp.From, "checkpoint-gap", $"checkpoint {cp.Id} follows checkpoint {_checkpointId}: checkpoints between were deleted");
            else if (cp.KeyId != key.Id || !ChainHashing.CheckpointMac(key, cp.Id, cp.From, cp.Through, cp.Global, cp.Heads, _checkpointMac)
                         .AsSpan().SequenceEqual(cp.Signature))
                Add(cp.From, "checkpoint-signature", $"checkpoint {cp.Id} (sequences {cp.From}-{cp.Through}) is not signed by " +
                    $"this host's key {key.Id} over its content (signed by {cp.KeyId})");
            else
            {
                foreach (var signed in cp.Heads)
                    if (!heads.TryGetValue(signed.Stream, out var now) || now.Version != signed.Version ||
                        !now.Hash.AsSpan().SequenceEqual(signed.Hash))
                        Breaks.Add(new ChainBreak(cp.From, signed.Stream, signed.Version, "checkpoint-head",
                            $"checkpoint {cp.Id} (sequences {cp.From}-{cp.Through}) signed stream {signed.Stream} at version " +
                            $"{signed.Version}; " + (now is null ? "the chain now holds none of its events in that range"
                                : $"the chain now ends it there at version {now.Version}")));
                if (!_global.AsSpan().SequenceEqual(cp.Global) && heads.Count > 0)
                    Add(cp.Through, "checkpoint-global", $"checkpoint {cp.Id} signed another global hash at sequence {cp.Through}");
            }
            _checkpointId = cp.Id;
            _checkpointMac = cp.Signature;
            heads.Clear();
            if (Breaks.Count == 0) LastCheckpoint = new VerifiedCheckpoint(cp.Id, cp.Through, cp.Global, cp.Signature);
        }

        /// <summary>Full verification only: each stream's recorded version (mt_streams) is its last event's, so a cut tail shows.</summary>
        public async Task StreamVersions(NpgsqlConnection conn, string eventSchema, CancellationToken ct)
        {
            await using var cmd = Sql(
                $"""
                select s.id, s.version, max(e.version), max(e.seq_id) from {eventSchema}.mt_streams s
                left join {eventSchema}.mt_events e on e.stream_id = s.id
                where s.id <> '{EventChain.TombstoneStream}'
                group by s.id, s.version having s.version is distinct from max(e.version)
                """, conn);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                Breaks.Add(new ChainBreak(r.IsDBNull(3) ? 0 : r.GetInt64(3) + 1, r.GetString(0), r.GetInt64(1), "stream-tail",
                    $"the stream is recorded at version {r.GetInt64(1)}, but its events end at " +
                    $"{(r.IsDBNull(2) ? "none" : $"version {r.GetInt64(2)}")}: its tail was cut"));
        }

        private void Add(ChainRow row, string kind, string detail) =>
            Breaks.Add(new ChainBreak(row.Sequence, row.Stream, row.Version, kind, detail));

        private void Add(long seq, string kind, string detail) => Breaks.Add(new ChainBreak(seq, null, null, kind, detail));

        private void Add(long seq, string stream, long version, string kind, string detail) =>
            Breaks.Add(new ChainBreak(seq, stream, version, kind, detail));

        private static string Quote(string? value) => value is null ? "nothing" : $"'{value}'";
    }

    private sealed record ChainRow(long Sequence, string Stream, long Version, string Type, byte[] DataHash,
        Dictionary<string, string?> Metadata, byte[] EventHash, byte[]? PreviousHash, long? PreviousSequence, byte[] Global, string KeyId,
        byte[] Signature, DateTimeOffset ChainedAt)
    {
        public static ChainRow From(NpgsqlDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3),
            r.GetFieldValue<byte[]>(4), JsonSerializer.Deserialize<Dictionary<string, string?>>(r.GetString(5))!,
            r.GetFieldValue<byte[]>(6),
            r.IsDBNull(7) ? null : r.GetFieldValue<byte[]>(7), r.IsDBNull(8) ? null : r.GetInt64(8), r.GetFieldValue<byte[]>(9),
            r.GetString(10), r.GetFieldValue<byte[]>(11), r.GetFieldValue<DateTimeOffset>(12));
    }
}

/// <summary>A checkpoint found intact: where the next incremental verification starts.</summary>
public sealed record VerifiedCheckpoint(long Id, long Through, byte[] Global, byte[] Signature);
