using System.Security.Cryptography;
using Marten;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace ComplianceEvents.Infrastructure.Chain;

/// <summary>
/// The key that signs the chain: Chain:Key (base64, 256 bits or more) in production, otherwise a development key generated at
/// first run into the key directory (<see cref="KeyFiles"/>). The database never holds it; <see cref="Id"/> (the first bytes of
/// its SHA-256) is stored beside each signature, so a host holding another key says so instead of calling everything forged.
/// </summary>
public sealed class ChainKey
{
    private readonly byte[] _key;

    public ChainKey(byte[] key, string source)
    {
        if (key.Length < 32) throw new InvalidOperationException($"The chain key from {source} is {key.Length * 8} bits; it needs 256.");
        _key = key;
        Source = source;
        Id = Convert.ToHexStringLower(SHA256.HashData(key))[..16];
    }

    public string Id { get; }
    public string Source { get; }

    public static ChainKey From(IConfiguration configuration)
    {
        if (configuration["Chain:Key"] is { Length: > 0 } configured)
            return new ChainKey(Convert.FromBase64String(configured), "Chain:Key");
        var (bytes, file) = KeyFiles.ReadOrCreate(configuration, "chain-key");
        return new ChainKey(bytes, file);
    }

    public byte[] Mac(string purpose, params byte[][] parts)
    {
        using var mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        mac.AppendData(System.Text.Encoding.ASCII.GetBytes(purpose));
        foreach (var part in parts) mac.AppendData(part);
        return mac.GetHashAndReset();
    }
}

/// <summary>How often the chain is extended and the log verified (Chain:IntervalMilliseconds, Chain:VerifyMinutes,
/// Chain:FullVerifyMinutes); 0 turns a loop off (a CLI process never runs them: the server does).</summary>
public sealed record ChainSettings(TimeSpan Interval, TimeSpan VerifyEvery, TimeSpan FullVerifyEvery)
{
    public static ChainSettings From(IConfiguration c) => new(
        TimeSpan.FromMilliseconds(c.GetValue("Chain:IntervalMilliseconds", 1000)),
        TimeSpan.FromMinutes(c.GetValue("Chain:VerifyMinutes", 1.0)),
        TimeSpan.FromMinutes(c.GetValue("Chain:FullVerifyMinutes", 60.0)));
}

/// <summary>
/// The chain's three append-only tables, created with the rest of the schema (db-apply, start-up): the host only ever inserts
/// into them and the runtime database role may do nothing else (DatabaseRoles' append-only tables).
/// <list type="bullet">
/// <item><c>ce_chain</c>: one row per event, by sequence: what was chained (stream, version, type, data hash, metadata), the
/// event hash, the stream's previous hash, the previous chained sequence, the global hash, and the row's signature;</item>
/// <item><c>ce_chain_checkpoints</c>: per extension of the chain, its range, global hash, the heads of the streams it touched,
/// all signed, each signature covering the one before;</item>
/// <item><c>ce_chain_verifications</c>: the checkpoints a full or incremental verification found intact (signed), where the
/// next incremental verification starts.</item>
/// </list>
/// </summary>
public static class EventChain
{
    public const string Rows = "ce_chain";
    public const string Checkpoints = "ce_chain_checkpoints";
    public const string Verifications = "ce_chain_verifications";
    public static readonly IReadOnlyList<string> Tables = [Rows, Checkpoints, Verifications];

    /// <summary>
    /// Marten's filler stream: after a failed append whose sequence numbers it knows, Marten writes one empty "tombstone"
    /// event per lost sequence, numbered version = sequence, in a transaction of its own after the failed one; the stream's
    /// row stays at version 0. They are chained like any event, but they are not a stream of ours: their versions are not
    /// 1..n, the recorded version is not their last, and one may land below the chained point (never chained, not a break).
    /// </summary>
    public const string TombstoneStream = "mt_tombstone", TombstoneType = "tombstone";

    /// <summary>The advisory lock of the one extension of the chain at a time, across processes and hosts.</summary>
    /// <summary>The chain's statements are background work over the whole log, not requests: they keep the server's request
    /// bound out (Outages: 8 s), or extending a large backlog would time out and start again every round. verify and
    /// verify-log walk the log on a request, so against a hung database they wait up to this per statement (docs/api.md).
    /// </summary>
    public const int BackgroundCommandSeconds = 120;

    /// <summary>A statement of the chain's, on the store's own connection, with <see cref="BackgroundCommandSeconds"/>.</summary>
    internal static Npgsql.NpgsqlCommand Sql(string text, Npgsql.NpgsqlConnection conn, Npgsql.NpgsqlTransaction? tx = null) =>
        new(text, conn, tx) { CommandTimeout = BackgroundCommandSeconds };

    public const long LockKey = 0x63652d636861696e; // "ce-chain"

    public static void Register(StoreOptions opts)
    {
        var schema = opts.DatabaseSchemaName;
        var rows = new Table(Name(schema, Rows));
        rows.AddColumn<long>("seq_id").AsPrimaryKey();
        rows.AddColumn("stream_id", "text").NotNull();
        rows.AddColumn<long>("version").NotNull();
        rows.AddColumn("type", "text").NotNull();
        rows.AddColumn("data_hash", "bytea").NotNull();
        rows.AddColumn("metadata", "jsonb").NotNull();
        rows.AddColumn("event_hash", "bytea").NotNull();
        rows.AddColumn("previous_hash", "bytea");
        rows.AddColumn("previous_seq_id", "bigint");
        rows.AddColumn("global_hash", "bytea").NotNull();
        rows.AddColumn("key_id", "text").NotNull();
        rows.AddColumn("signature", "bytea").NotNull();
        rows.AddColumn("chained_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        rows.Indexes.Add(new IndexDefinition($"ix_{Rows}_stream_version") { IsUnique = true }.AgainstColumns("stream_id", "version"));

        var checkpoints = new Table(Name(schema, Checkpoints));
        checkpoints.AddColumn<long>("id").AsPrimaryKey();
        checkpoints.AddColumn<long>("from_seq_id").NotNull();
        checkpoints.AddColumn<long>("through_seq_id").NotNull();
        checkpoints.AddColumn<int>("events").NotNull();
        checkpoints.AddColumn("global_hash", "bytea").NotNull();
        checkpoints.AddColumn("heads", "jsonb").NotNull();
        checkpoints.AddColumn("key_id", "text").NotNull();
        checkpoints.AddColumn("signature", "bytea").NotNull();
        checkpoints.AddColumn("created_at", "timestamptz").NotNull().DefaultValueByExpression("now()");

        var verifications = new Table(Name(schema, Verifications));
        verifications.AddColumn<long>("id").AsPrimaryKey().BigAutoIncrement();
        verifications.AddColumn<long>("checkpoint_id").NotNull();
        verifications.AddColumn("global_hash", "bytea").NotNull();
        verifications.AddColumn("verified_at", "timestamptz").NotNull();
        verifications.AddColumn("mode", "text").NotNull();
        verifications.AddColumn("key_id", "text").NotNull();
        verifications.AddColumn("signature", "bytea").NotNull();

        opts.Storage.ExtendedSchemaObjects.Add(rows);
        opts.Storage.ExtendedSchemaObjects.Add(checkpoints);
        opts.Storage.ExtendedSchemaObjects.Add(verifications);
    }

    /// <summary>
    /// Marten's ResetAllData and the chain with it, for throwaway databases (tests, the bench): the reset restarts the event
    /// sequence, so a chain left behind would call every new event forged. Under the chain's lock, so no extension is half-done.
    /// </summary>
    public static async Task ResetAllData(IServiceProvider services)
    {
        var store = services.GetRequiredService<IDocumentStore>();
        await store.Advanced.ResetAllData();
        // A verification reads the chain's tables in another order than the truncation takes them: when the two deadlock and
        // the reset is the one PostgreSQL aborts, it is tried again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await TruncateChain(store);
                break;
            }
            catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.DeadlockDetected && attempt < 5) { }
        }
        services.GetRequiredService<ChainStatus>().Forget();
        services.GetService<PausedShards>()?.Forget();
    }

    private static async Task TruncateChain(IDocumentStore store)
    {
        await using var conn = store.Storage.Database.CreateConnection();
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var schema = store.Options.DatabaseSchemaName;
        await using (var cmd = new Npgsql.NpgsqlCommand($"select pg_advisory_xact_lock({LockKey}); truncate " +
            string.Join(", ", Tables.Select(t => $"{schema}.{t}")), conn))
            await cmd.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }

    private static PostgresqlObjectName Name(string schema, string table) =>
        new(schema, table, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General);

    public static IServiceCollection AddEventChain(this IServiceCollection services, bool background)
    {
        services.AddSingleton(sp => ChainKey.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton(sp => ChainSettings.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<ChainStatus>();
        services.AddSingleton<Chainer>();
        services.AddSingleton<ChainVerifier>();
        services.AddSingleton<IStatusCheck, ChainHealth>();
        if (background) services.AddHostedService<ChainLoops>();
        return services;
    }
}
