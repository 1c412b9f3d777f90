using System.Net;
using System.Text.Json;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Integration.BoundingQueues;

/// <summary>
/// docs/integration.md "Retention": an outbound queue nobody consumes and dead letters nobody replays are bounded, per queue,
/// by a background sweep that says what it removed; /health is degraded while a backlog is over its threshold.
/// </summary>
public sealed class RetentionTests(AppFixture app) : HostTest(app)
{
    private BoundedHost Host => BoundedHost.For(App);

    [Fact]
    public async Task messages_and_dead_letters_older_than_their_queues_bound_are_removed_and_younger_ones_kept()
    {
        await Host.Clean();
        for (var i = 0; i < 3; i++) await Host.RecordEvidence();
        await Host.SendPoison();
        await Host.SendPoison();
        await Eventually(async () => (await Host.Count(Host.Table(Host.Hourly)), await Host.Count(Host.Table(Host.Archive)),
            await Host.Count(BoundedHost.DeadLetters)), c => c == (3, 3, 2), "three messages in each queue and two dead letters");

        // Each row carries its queue's bound as keep_until (Wolverine's DeliverWithin), dead letters theirs as expires.
        Assert.Equal(3, await Host.Count(Host.Table(Host.Hourly), Within("keep_until", "1 hour")));
        Assert.Equal(3, await Host.Count(Host.Table(Host.Archive), Within("keep_until", "2 days")));
        Assert.Equal(2, await Host.Count(BoundedHost.DeadLetters, Within("expires", "1 hour")));

        // Aged in one statement each, as if written long ago: an hourly row past its keep_until, an hourly row from before
        // keep_until was set (none, queued two hours ago), an archive row queued two hours ago (within its two days), one dead letter.
        await Host.Execute($"""
            with aged as (select id, row_number() over (order by id) n from {Host.Table(Host.Hourly)} limit 2)
            update {Host.Table(Host.Hourly)} q set keep_until = case when aged.n = 1 then now() - interval '1 minute' end,
                timestamp = now() - interval '2 hours' from aged where q.id = aged.id;
            update {Host.Table(Host.Archive)} set timestamp = now() - interval '2 hours', keep_until = now() + interval '46 hours'
                where id = (select min(id::text)::uuid from {Host.Table(Host.Archive)});
            update {BoundedHost.DeadLetters} set expires = now() - interval '1 minute'
                where id = (select min(id::text)::uuid from {BoundedHost.DeadLetters})
            """);

        await Eventually(async () => (await Host.Count(Host.Table(Host.Hourly)), await Host.Count(BoundedHost.DeadLetters)),
            c => c == (1, 1), "the sweep to remove the hourly queue's two old rows and the expired dead letter");
        Assert.Equal(3, await Host.Count(Host.Table(Host.Archive)));
        Assert.Equal(1, await Host.Count(Host.Table(Host.Hourly), Within("keep_until", "1 hour")));
        Assert.Contains(Host.Logs.Entries, e => e.Contains($"from outbound queue {Host.Hourly}") && e.Contains("Retention removed"));
        Assert.Contains(Host.Logs.Entries, e => e.Contains("dead letter(s) older than 01:00:00") && e.Contains("Retention removed 1 "));
        Assert.DoesNotContain(Host.Logs.Entries, e => e.Contains($"from outbound queue {Host.Archive}"));
    }

    [Fact]
    public async Task health_is_degraded_while_a_backlog_is_over_its_threshold_and_healthy_once_it_drains()
    {
        await Host.Clean();
        var client = Host.Factory.CreateClient();
        var healthy = await Eventually(() => Health(client), h => h.Status == "healthy", "a healthy host with empty queues");
        Assert.False(healthy.Body.TryGetProperty("warnings", out _));

        for (var i = 0; i < BoundedHost.BacklogWarning; i++) await Host.RecordEvidence();
        // Both queues over the threshold: each queue's messages are moved to its table on their own, one may lag the other.
        var degraded = await Eventually(() => Health(client), h => h.Status == "degraded"
            && h.Body.GetProperty("warnings").GetArrayLength() == 2, "the backlog warning of both queues");
        Assert.Equal(HttpStatusCode.OK, degraded.Code);
        var warnings = degraded.Body.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        foreach (var queue in new[] { Host.Hourly, Host.Archive })
            Assert.Contains(warnings, w => w.StartsWith($"outbound queue {queue} has a backlog of {BoundedHost.BacklogWarning} " +
                "message(s)"));
        var hourly = degraded.Body.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("queue").GetString() == Host.Hourly);
        Assert.Equal(BoundedHost.BacklogWarning, hourly.GetProperty("count").GetInt64());
        Assert.True(degraded.Body.TryGetProperty("retention", out _), "the sweep's last run is reported");

        // A consumer takes the messages (a listener moves them out of the queue table).
        await Host.Execute($"delete from {Host.Table(Host.Hourly)}; delete from {Host.Table(Host.Archive)}");
        var recovered = await Eventually(() => Health(client), h => h.Status == "healthy", "the host to recover");
        Assert.False(recovered.Body.TryGetProperty("warnings", out _));
    }

    private static string Within(string column, string bound) =>
        $"{column} between now() + interval '{bound}' - interval '5 minutes' and now() + interval '{bound}' + interval '1 minute'";

    private sealed record HealthAnswer(HttpStatusCode Code, string? Status, JsonElement Body);

    private static async Task<HealthAnswer> Health(HttpClient client)
    {
        var response = await client.GetAsync("/health");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return new HealthAnswer(response.StatusCode, body.GetProperty("status").GetString(), body);
    }
}
