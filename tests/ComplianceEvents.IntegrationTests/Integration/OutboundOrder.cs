using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ComplianceEvents.Integration;
using ComplianceEvents.Integration.PublishingEvents;
using Npgsql;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>What a consumer of the outbound queue may rely on about order, checked on the queue as it reads it.</summary>
public static partial class OutboundOrder
{
    /// <summary>The queue once the publisher has passed the last stored event and Wolverine has moved every stored message.</summary>
    public static async Task<IReadOnlyList<OutboundMessage>> Drained(IntegrationHost host)
    {
        var last = await Scalar(host, "select coalesce(max(seq_id), 0) from compliance.mt_events");
        await Eventually(() => Scalar(host, "select coalesce(max(last_seq_id), 0) from compliance.mt_event_progression " +
            $"where name like '{IntegrationPublisher.Name}%'"), n => n >= last, "the publisher to pass the last event");
        await Eventually(() => Scalar(host, "select count(*) from compliance.wolverine_outgoing_envelopes"), n => n == 0,
            "every stored message to be moved to the outbound queue");
        return await host.OutboundMessages();
    }

    /// <summary>
    /// The consumer's order (arrival timestamps, strictly increasing: a tie would leave it to chance) is the publication order
    /// (sequence, index), each body names its place as its header does, and no stale notice comes before the approval it names
    /// or, for a rubric, before the revision it cites.
    /// </summary>
    public static void AssertCausal(IReadOnlyList<OutboundMessage> queue)
    {
        Assert.NotEmpty(queue);
        for (var i = 1; i < queue.Count; i++)
        {
            Assert.True(queue[i].QueuedAt > queue[i - 1].QueuedAt, $"{Describe(queue[i])} arrived with or before {Describe(queue[i - 1])}");
            Assert.True(Place(queue[i]).CompareTo(Place(queue[i - 1])) > 0, $"{Describe(queue[i])} after {Describe(queue[i - 1])}");
        }
        Assert.All(queue, m => Assert.Equal(m.Sequence, m.Body.GetProperty("sequence").GetInt64()));
        for (var i = 0; i < queue.Count; i++)
        {
            if (queue[i].MessageType != "ApprovalWentStaleV1") continue;
            var (notice, earlier) = (queue[i].Body, queue.Take(i).ToList());
            Assert.Contains(earlier, m => m.MessageType == "ScoreApprovedV1" && Same(m, queue[i], "memberCode")
                && Same(m, queue[i], "proposalId"));
            if (RubricReason().Match(notice.GetProperty("reason").GetString()!) is { Success: true } cited)
                Assert.Contains(earlier, m => m.MessageType == "RubricRevisedV1"
                    && m.Body.GetProperty("version").GetInt32() == int.Parse(cited.Groups[1].Value));
        }
    }

    /// <summary>Each body as docs/events.md documents it: exactly its schema's properties, each of a type the schema allows.</summary>
    public static void AssertDocumented(IReadOnlyList<OutboundMessage> queue)
    {
        foreach (var m in queue)
        {
            var schema = IntegrationEvents.Schema(IntegrationEvents.Contracts.Single(t => t.Name == m.MessageType));
            var properties = schema["properties"]!.AsObject();
            Assert.Equal(properties.Select(p => p.Key).Order(), m.Body.EnumerateObject().Select(p => p.Name).Order());
            foreach (var (name, property) in properties)
            {
                var types = property!["type"] is JsonArray many
                    ? many.Select(t => t!.GetValue<string>()) : [property["type"]!.GetValue<string>()];
                Assert.Contains(Kind(m.Body.GetProperty(name)), types);
            }
        }
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => "integer", JsonValueKind.String => "string", JsonValueKind.Array => "array",
        JsonValueKind.Null => "null", JsonValueKind.Object => "object", _ => "boolean",
    };

    private static (long, int) Place(OutboundMessage m) => (m.Sequence, m.Body.GetProperty("index").GetInt32());

    private static bool Same(OutboundMessage a, OutboundMessage b, string property) =>
        a.Body.GetProperty(property).GetString() == b.Body.GetProperty(property).GetString();

    private static string Describe(OutboundMessage m) => $"{m.MessageType} {Place(m)} at {m.QueuedAt:HH:mm:ss.ffffff}";

    [GeneratedRegex("^rubric-revised: .*current version ([0-9]+)$")]
    private static partial Regex RubricReason();

    private static async Task<long> Scalar(IntegrationHost host, string sql)
    {
        await using var conn = new NpgsqlConnection(host.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
