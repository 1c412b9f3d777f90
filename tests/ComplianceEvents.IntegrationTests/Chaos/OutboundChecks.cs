using ComplianceEvents.Integration;
using ComplianceEvents.Integration.PublishingEvents;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Chaos;

/// <summary>The outbound queue as a consumer reads it: the stored event (its global sequence) each message was published for.</summary>
public static class OutboundChecks
{
    public static async Task<IReadOnlyList<long>> Sequences(string connectionString, string queue, string messageType)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"select body from wolverine_queues.wolverine_queue_{EnvelopeActors.QueueName(queue)} " +
            "where message_type = @type", conn);
        cmd.Parameters.AddWithValue("type", messageType);
        var sequences = new List<long>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var envelope = Wolverine.Runtime.Serialization.EnvelopeSerializer.Deserialize((byte[])reader[0]);
            sequences.Add(long.Parse(envelope.Headers[IntegrationPublisher.EventSequenceHeader]!));
        }
        return sequences;
    }

    public static void AssertExactlyOnce(IReadOnlyList<long> published, IReadOnlySet<long> expected)
    {
        var twice = published.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var missing = expected.Where(s => !published.Contains(s)).ToList();
        var foreign = published.Where(s => !expected.Contains(s)).Distinct().ToList();
        Assert.True(twice.Count == 0 && missing.Count == 0 && foreign.Count == 0, $"outbound queue: {twice.Count} published twice " +
            $"({string.Join(", ", twice.Take(10))}), {missing.Count} missing ({string.Join(", ", missing.Take(10))}), " +
            $"{foreign.Count} of no event in the log");
    }
}
