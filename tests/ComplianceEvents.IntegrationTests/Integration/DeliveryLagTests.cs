using ComplianceEvents.Infrastructure;
using ComplianceEvents.Integration.PublishingEvents;
using ComplianceEvents.IntegrationTests.WriteSide;
using Npgsql;
using Xunit.Abstractions;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>
/// Issue 20 item 2: integration events published from the log by the daemon arrive in the outbound queue exactly once and in
/// each stream's order under concurrent writers; the commit-to-queue lag is measured and printed (the bench's B3b states it).
/// </summary>
public sealed class DeliveryLagTests(AppFixture app, ITestOutputHelper output) : HostTest(app)
{
    private IntegrationHost Host => For(App);
    private static readonly string[] Members = ["CA", "FR", "DE", "IT", "JP", "UK", "US", "EU"];
    private const int PerWriter = 25;

    [Fact]
    public async Task evidence_from_eight_concurrent_writers_reaches_the_outbound_queue_once_each_in_stream_order()
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();

        // Eight writers, one cell each, 25 commands apiece: 200 commits interleaved in the log.
        await Task.WhenAll(Members.Select(member => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
                await Expect(Host.Send(World.Evidence(member, new DateOnly(2024, 7, 12).AddDays(i)) with { EvidenceId = Id(member, i) },
                    World.Analyst, World.AnalystRoles));
        })));

        // Done when the publisher's position passed the last event and Wolverine moved every stored message to the queue.
        var last = await Scalar("select max(seq_id) from compliance.mt_events");
        await Eventually(() => Scalar($"select coalesce(max(last_seq_id), 0) from compliance.mt_event_progression " +
            $"where name like '{IntegrationPublisher.Name}%'"), n => n >= last, "the publisher to pass the last event");
        await Eventually(() => Scalar("select count(*) from compliance.wolverine_outgoing_envelopes"), n => n == 0,
            "every stored message to be moved to the outbound queue");

        var messages = (await Host.OutboundMessages()).Where(m => m.MessageType == "EvidenceRecordedV1").ToList();
        var lags = messages.Select(m => (m.QueuedAt - m.StoredAt).TotalMilliseconds).Order().ToList();
        double Percentile(double p) => lags[Math.Min(lags.Count - 1, (int)Math.Ceiling(p * lags.Count) - 1)];
        output.WriteLine($"commit -> outbound queue lag over {lags.Count} events from {Members.Length} writers: " +
            $"p50 {Percentile(0.5):0} ms, p95 {Percentile(0.95):0} ms, p99 {Percentile(0.99):0} ms, max {lags[^1]:0} ms");
        var evidence = messages.Select(m => (Member: m.Body.GetProperty("memberCode").GetString()!,
            Id: m.Body.GetProperty("evidenceId").GetString()!)).ToList();
        Assert.Equal(Members.Length * PerWriter, messages.Count);
        Assert.Equal(messages.Count, evidence.Distinct().Count());
        foreach (var member in Members)
            Assert.Equal(Enumerable.Range(0, PerWriter).Select(i => Id(member, i)),
                evidence.Where(e => e.Member == member).Select(e => e.Id));
        // The queue's order is the log's: each message's cause was stored after the previous one's.
        Assert.Equal(messages.Select(m => m.Sequence).Order(), messages.Select(m => m.Sequence));
    }

    private static string Id(string member, int i) => $"{member.ToLowerInvariant()}-{i:D2}";

    private async Task<long> Scalar(string sql)
    {
        await using var conn = new NpgsqlConnection(Host.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
