using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ComplianceEvents.Infrastructure.Chain;

/// <summary>
/// One stored event as the audit relies on it: every column of <c>mt_events</c> but Marten's .NET type name (a rename of a
/// class, not of the record). The text of <see cref="Data"/> and <see cref="Headers"/> is PostgreSQL's own rendering of the
/// jsonb value, which is canonical: the same value always reads back as the same text.
/// </summary>
public sealed record StoredEvent(long Sequence, string Stream, long Version, string Type, string Data, Guid Id, DateTimeOffset Timestamp,
    string? Tenant, string? Correlation, string? Causation, string? Headers, bool Archived)
{
    /// <summary>The metadata an audit names (who, when, which command and conversation), as the chain records it to say what
    /// differs; in the order <see cref="ChainHashing.EventHash"/> hashes it.</summary>
    public IReadOnlyList<(string Field, string? Value)> Metadata =>
    [
        ("id", Id.ToString("D")),
        ("timestamp", Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)),
        ("tenant", Tenant), ("correlation", Correlation), ("causation", Causation), ("headers", Headers),
        ("archived", Archived ? "true" : "false"),
    ];
}

/// <summary>
/// The hash chain's arithmetic (issue 15, docs/reliability.md "The tamper-evident record"), pure so a verifier outside
/// the host can redo it:
/// <list type="bullet">
/// <item>event hash = SHA-256 of "ce-chain/1", the stream, version, type, the SHA-256 of the data and the metadata, each
/// length-prefixed, and the event hash of the stream's previous event (32 zero bytes for its first);</item>
/// <item>global hash = SHA-256 of the previous chained event's global hash, the sequence and the event hash;</item>
/// <item>every chain row and every checkpoint carries an HMAC-SHA-256 with a key the database does not hold, so rewriting an
/// event together with all its stored hashes is still detected.</item>
/// </list>
/// </summary>
public static class ChainHashing
{
    public static readonly byte[] Zero = new byte[32];

    public static byte[] DataHash(string data) => SHA256.HashData(Encoding.UTF8.GetBytes(data));

    public static byte[] EventHash(StoredEvent e, byte[] dataHash, byte[]? previousInStream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Field(hash, "ce-chain/1");
        Field(hash, e.Stream);
        Field(hash, e.Version.ToString(CultureInfo.InvariantCulture));
        Field(hash, e.Type);
        Field(hash, Convert.ToHexStringLower(dataHash));
        foreach (var (_, value) in e.Metadata) Field(hash, value);
        hash.AppendData(previousInStream ?? Zero);
        return hash.GetHashAndReset();
    }

    public static byte[] GlobalHash(byte[]? previousGlobal, long sequence, byte[] eventHash)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(previousGlobal ?? Zero);
        hash.AppendData(Int64(sequence));
        hash.AppendData(eventHash);
        return hash.GetHashAndReset();
    }

    public static byte[] RowMac(ChainKey key, long sequence, byte[] eventHash, byte[] globalHash) =>
        key.Mac("row", Int64(sequence), eventHash, globalHash);

    /// <summary>A checkpoint's signature: its number and range, the global hash at its end, the heads of the streams it
    /// touched, and the signature of the checkpoint before it (so checkpoints form a chain of their own).</summary>
    public static byte[] CheckpointMac(ChainKey key, long id, long fromSequence, long throughSequence, byte[] globalHash,
        IEnumerable<StreamHead> heads, byte[]? previousMac) =>
        key.Mac("checkpoint", Int64(id), Int64(fromSequence), Int64(throughSequence), globalHash, HeadsDigest(heads), previousMac ?? Zero);

    public static byte[] VerificationMac(ChainKey key, long checkpointId, byte[] globalHash, DateTimeOffset at) =>
        key.Mac("verified", Int64(checkpointId), globalHash, Int64(at.ToUnixTimeMilliseconds()));

    public static byte[] HeadsDigest(IEnumerable<StreamHead> heads)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var head in heads.OrderBy(h => h.Stream, StringComparer.Ordinal))
        {
            Field(hash, head.Stream);
            hash.AppendData(Int64(head.Version));
            hash.AppendData(head.Hash);
        }
        return hash.GetHashAndReset();
    }

    private static void Field(IncrementalHash hash, string? value)
    {
        // Length-prefixed (-1 for null), so no two different field lists hash alike.
        var bytes = value is null ? [] : Encoding.UTF8.GetBytes(value);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, value is null ? -1 : bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }

    private static byte[] Int64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }
}

/// <summary>The last chained event of a stream within a checkpoint's range.</summary>
public sealed record StreamHead(string Stream, long Version, byte[] Hash);
