using ComplianceEvents.Infrastructure.Chain;

namespace ComplianceEvents.Tests.Infrastructure;

/// <summary>The chain's arithmetic: every field an audit relies on moves the event hash, fields cannot be shifted into one
/// another, the stream link and the global link are part of it, and a signature needs the key.</summary>
public sealed class ChainHashingTests
{
    private static readonly StoredEvent Event = new(7, "assessment:2024-apulia:19:CA", 3, "evidence_recorded", """{"a": 1}""",
        Guid.Parse("0b7e8f6c-59d1-4c1e-9d0e-2a3f1a9c0d11"), new DateTimeOffset(2024, 7, 12, 10, 0, 0, TimeSpan.Zero), "*DEFAULT*", "c1",
        "k1", """{"user-id": "tiantian"}""", false);

    private static byte[] Hash(StoredEvent e, byte[]? previous = null) =>
        ChainHashing.EventHash(e, ChainHashing.DataHash(e.Data), previous);

    public static TheoryData<string> Changes => new() { "stream", "version", "type", "data", "id", "timestamp", "tenant", "correlation",
        "causation", "headers", "archived" };

    [Theory, MemberData(nameof(Changes))]
    public void every_audited_field_moves_the_event_hash(string field)
    {
        var changed = field switch
        {
            "stream" => Event with { Stream = "assessment:2024-apulia:19:FR" },
            "version" => Event with { Version = 4 },
            "type" => Event with { Type = "evidence_amended" },
            "data" => Event with { Data = """{"a": 2}""" },
            "id" => Event with { Id = Guid.NewGuid() },
            "timestamp" => Event with { Timestamp = Event.Timestamp.AddTicks(10) },
            "tenant" => Event with { Tenant = null },
            "correlation" => Event with { Correlation = "c2" },
            "causation" => Event with { Causation = null },
            "headers" => Event with { Headers = """{"user-id": "mallory"}""" },
            _ => Event with { Archived = true },
        };
        Assert.NotEqual(Hash(Event), Hash(changed));
    }

    [Fact]
    public void a_value_moved_from_one_field_into_the_next_is_another_hash()
    {
        Assert.NotEqual(Hash(Event with { Correlation = "c1k", Causation = "1" }),
            Hash(Event with { Correlation = "c1", Causation = "k1" }));
        Assert.NotEqual(Hash(Event with { Tenant = null }), Hash(Event with { Tenant = "" }));
    }

    [Fact]
    public void the_previous_hash_of_the_stream_and_the_global_chain_are_links()
    {
        Assert.NotEqual(Hash(Event), Hash(Event, ChainHashing.DataHash("x")));
        var h = Hash(Event);
        Assert.NotEqual(ChainHashing.GlobalHash(null, 7, h), ChainHashing.GlobalHash(ChainHashing.DataHash("x"), 7, h));
        Assert.NotEqual(ChainHashing.GlobalHash(null, 7, h), ChainHashing.GlobalHash(null, 8, h));
    }

    [Fact]
    public void a_signature_needs_the_key()
    {
        var key = new ChainKey(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), "test");
        var other = new ChainKey(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray(), "test");
        var h = Hash(Event);
        var g = ChainHashing.GlobalHash(null, 7, h);
        Assert.Equal(ChainHashing.RowMac(key, 7, h, g), ChainHashing.RowMac(key, 7, h, g));
        Assert.NotEqual(ChainHashing.RowMac(key, 7, h, g), ChainHashing.RowMac(other, 7, h, g));
        Assert.NotEqual(key.Id, other.Id);
        Assert.Throws<InvalidOperationException>(() => new ChainKey(new byte[16], "short"));
    }
}
