using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Integration;
using ComplianceEvents.Integration.PublishingEvents;
using ComplianceEvents.IntegrationTests.WriteSide;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Weasel.Core;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;
using IProjectionCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;

namespace ComplianceEvents.IntegrationTests.Faults;

/// <summary>
/// Issue 15, a poison event: one stored event the integration publisher cannot read (its body in a shape this version's reader
/// refuses, as an older writer might have stored it) pauses the publisher at that event. /health is 503 naming the shard and the
/// event; nothing after it is delivered, however often the daemon retries, and nothing is dead-lettered. The fix is a reader that
/// can read it, deployed and the host restarted: the publisher then delivers the poison event and everything after it, in the
/// log's order, once each, and /health is healthy again. On a database of its own: the daemon is one per database.
/// </summary>
public sealed class PoisonEventTests(AppFixture app) : HostTest(app)
{
    [Fact]
    public async Task a_poison_event_pauses_the_publisher_visibly_never_skipped_and_after_the_fix_it_catches_up_in_order_once()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var queue = "events-" + suffix;
        var connectionString = CreateDatabase(App.ServerConnectionString, "compliance_poison_" + suffix);
        var table = $"wolverine_queues.wolverine_queue_{EnvelopeActors.QueueName(queue)}";
        long poison;
        long[] after;
        await using (var broken = Node(connectionString, queue, fixedReader: false))
        {
            var runner = broken.Services.GetRequiredService<CommandRunner>();
            Task<CommandResult> Send(object command, string user, string[] roles) =>
                runner.Send(command, new CommandContext(new Actor(user, roles)), default);
            await BuildWorld(Send);
            await Expect(Send(World.Evidence("CA", new DateOnly(2024, 7, 1)), World.Analyst, World.AnalystRoles));
            await Eventually(() => Delivered(connectionString, table), d => d.Count == 1, "the first evidence to be published");

            // The poison and two events after it are stored while the publisher is held, so it meets the poison first.
            var coordinator = broken.Services.GetRequiredService<IProjectionCoordinator>();
            await coordinator.PauseAsync();
            async Task<long> Record(string member, int day)
            {
                var evidence = World.Evidence(member, new DateOnly(2024, 7, day));
                var ids = (await Expect(Send(evidence, World.Analyst, World.AnalystRoles))).EventIds.Select(id => $"'{id}'");
                return await Scalar(connectionString, "select seq_id from compliance.mt_events where type = 'evidence_recorded' " +
                    $"and id in ({string.Join(", ", ids)})");
            }
            poison = await Record("FR", 12);
            after = [await Record("EU", 13), await Record("CA", 14)];
            await Sql(connectionString, "update compliance.mt_events set data = jsonb_set(data, '{ActionDate}', '\"12 July 2024\"') " +
                $"where seq_id = {poison}");
            await coordinator.ResumeAsync();

            using var client = broken.CreateClient();
            // Failed at least twice: the daemon restarted the paused publisher and it met the same event again.
            var (status, health) = await Eventually(() => Health(client),
                h => h.Body.TryGetProperty("paused", out var p) && p.GetArrayLength() == 1 && p[0].GetProperty("attempts").GetInt32() >= 2,
                "the publisher to be paused at the poison and retried", seconds: 60);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("unhealthy", health.GetProperty("status").GetString());
            var paused = health.GetProperty("paused")[0];
            var shard = $"{IntegrationPublisher.Name}:All";
            Assert.Equal(shard, paused.GetProperty("shard").GetString());
            Assert.Equal(poison, paused.GetProperty("event").GetProperty("sequence").GetInt64());
            Assert.Equal($"assessment:{World.Cycle}:{World.C19}:FR", paused.GetProperty("event").GetProperty("stream").GetString());
            Assert.Equal("evidence_recorded", paused.GetProperty("event").GetProperty("type").GetString());
            var reason = string.Join(" | ", health.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
            var version = await Scalar(connectionString, $"select version from compliance.mt_events where seq_id = {poison}");
            Assert.Equal(version, paused.GetProperty("event").GetProperty("version").GetInt64());
            Assert.True(reason.Contains($"{shard} is paused at event #{poison} (evidence_recorded, stream assessment:{World.Cycle}:" +
                $"{World.C19}:FR, version {version})", StringComparison.Ordinal), reason);
            Assert.True(reason.Contains("DateOnly", StringComparison.Ordinal) && reason.Contains("ActionDate", StringComparison.Ordinal),
                reason);

            // Not skipped: neither the poison nor what follows it went out, the position stays before it, no dead letter.
            Assert.Single(await Delivered(connectionString, table));
            Assert.True(await Progress(connectionString, shard) < poison, "the publisher's position moved past the poison");
            Assert.Equal(0L, await Scalar(connectionString, "select count(*) from compliance.mt_doc_deadletterevent"));
        }

        // The fix: a reader that understands the stored shape, deployed; the host restarted on the same database.
        await using var fixedNode = Node(connectionString, queue, fixedReader: true);
        var delivered = await Eventually(() => Delivered(connectionString, table), d => d.Count >= 4,
            "the publisher to catch up after the fix", seconds: 60);
        using var fixedClient = fixedNode.CreateClient();
        var (healthyStatus, healthy) = await Eventually(() => Health(fixedClient), h => h.Status == HttpStatusCode.OK,
            "/health to be healthy again", seconds: 30);
        delivered = await Delivered(connectionString, table);
        Assert.Equal(4, delivered.Count);
        Assert.Equal([poison, .. after], delivered.Skip(1).Select(d => d.Sequence));
        Assert.True(delivered[0].Sequence < poison);
        Assert.Equal("2024-07-12", delivered[1].Body.GetProperty("actionDate").GetString());
        Assert.Equal(HttpStatusCode.OK, healthyStatus);
        Assert.Equal(0, healthy.GetProperty("paused").GetArrayLength());
        Assert.False(healthy.TryGetProperty("reasons", out _), healthy.ToString());
        Assert.Equal(after[^1], await Progress(connectionString, $"{IntegrationPublisher.Name}:All"));
    }

    /// <summary>
    /// The publisher's own code throwing on one event (here an approval filed under a stream that is no cell, which it cannot
    /// place) pauses it at that event, named with its stream and version, and publishes nothing after it.
    /// </summary>
    [Fact]
    public async Task a_publisher_failure_on_one_event_pauses_it_at_that_event_named_and_publishes_nothing_after_it()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var queue = "events-" + suffix;
        var connectionString = CreateDatabase(App.ServerConnectionString, "compliance_poison_" + suffix);
        var table = $"wolverine_queues.wolverine_queue_{EnvelopeActors.QueueName(queue)}";
        await using var node = Node(connectionString, queue, fixedReader: false);
        var runner = node.Services.GetRequiredService<CommandRunner>();
        Task<CommandResult> Send(object command, string user, string[] roles) =>
            runner.Send(command, new CommandContext(new Actor(user, roles)), default);
        await BuildWorld(Send);
        await Expect(Send(World.Evidence("CA", new DateOnly(2024, 7, 1)), World.Analyst, World.AnalystRoles));
        await Eventually(() => Delivered(connectionString, table), d => d.Count == 1, "the first evidence to be published");

        await using (var session = node.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Events.Append("assessment:misfiled", new Assessments.ScoreApproved("p1", 0, 1, ["e1"], World.Analyst, World.Lead,
                DateTimeOffset.UtcNow, null));
            await session.SaveChangesAsync();
        }
        var poison = await Scalar(connectionString, "select max(seq_id) from compliance.mt_events");
        await Expect(Send(World.Evidence("EU", new DateOnly(2024, 7, 13)), World.Analyst, World.AnalystRoles));

        using var client = node.CreateClient();
        var (status, health) = await Eventually(() => Health(client),
            h => h.Body.TryGetProperty("paused", out var p) && p.GetArrayLength() == 1, "the publisher to be paused", seconds: 60);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var paused = health.GetProperty("paused")[0];
        Assert.Equal("ApplyEvent", paused.GetProperty("category").GetString());
        var named = paused.GetProperty("event");
        Assert.Equal(poison, named.GetProperty("sequence").GetInt64());
        Assert.Equal("assessment:misfiled", named.GetProperty("stream").GetString());
        Assert.Equal(1, named.GetProperty("version").GetInt64());
        Assert.Equal("score_approved", named.GetProperty("type").GetString());
        Assert.Contains("'assessment:misfiled' is not an assessment stream key", paused.GetProperty("error").GetString());
        Assert.Single(await Delivered(connectionString, table));
        Assert.True(await Progress(connectionString, $"{IntegrationPublisher.Name}:All") < poison);
    }

    private WebApplicationFactory<Program> Node(string connectionString, string queue, bool fixedReader)
    {
        var node = App.Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting($"ConnectionStrings:{Persistence.ConnectionStringName}", connectionString);
            b.UseSetting("Integration:Inbound:Enabled", "false");
            b.UseSetting("Integration:Outbound:Queues", queue);
            b.UseSetting("ReadModels:DriftCheckMinutes", "0");
            // The broken node stored the poison the way an older writer would have, before the chain saw it; the chain would
            // rightly call the rewrite tampering. The fixed node chains the log as it finds it.
            if (!fixedReader) b.UseSetting("Chain:IntervalMilliseconds", "0");
            else b.ConfigureServices(s => s.ConfigureMarten(o => o.UseSystemTextJsonForSerialization(EnumStorage.AsString,
                configure: j => j.Converters.Add(new DateOnlyAlsoInWords()))));
        });
        _ = node.Server;
        return node;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Health(HttpClient client)
    {
        var response = await client.GetAsync("/health");
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private sealed record Message(long Sequence, string Type, JsonElement Body);

    /// <summary>The outbound queue's messages as a consumer takes them (arrival order), with the sequence of their cause.</summary>
    private static async Task<IReadOnlyList<Message>> Delivered(string connectionString, string table)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"select body from {table} order by timestamp, id", conn);
        var messages = new List<Message>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var envelope = Wolverine.Runtime.Serialization.EnvelopeSerializer.Deserialize((byte[])reader[0]);
            messages.Add(new Message(long.Parse(envelope.Headers[IntegrationPublisher.EventSequenceHeader]!, CultureInfo.InvariantCulture),
                envelope.MessageType!, JsonDocument.Parse(envelope.Data).RootElement));
        }
        return messages;
    }

    private static Task<long> Progress(string connectionString, string shard) =>
        Scalar(connectionString, $"select last_seq_id from compliance.mt_event_progression where name = '{shard}'");

    private static async Task<long> Scalar(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task Sql(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }

    /// <summary>The fix as deployed: dates are read in ISO form, and also as "12 July 2024"; still written in ISO form.</summary>
    private sealed class DateOnlyAlsoInWords : JsonConverter<DateOnly>
    {
        public override DateOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString()!;
            return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var iso) ? iso
                : DateOnly.ParseExact(text, "d MMMM yyyy", CultureInfo.InvariantCulture);
        }

        public override void Write(Utf8JsonWriter writer, DateOnly value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }
}
