using ComplianceEvents.Infrastructure;
using ComplianceEvents.Integration.PublishingEvents;
using ComplianceEvents.IntegrationTests.WriteSide;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>
/// Where the integration publisher starts on a database it never ran on (PublisherStart): at the log's settled point, stored
/// before anything appends, once, whoever starts first. A log written before it (by the outbox of earlier versions) is not
/// published again; everything after it is, even when the first host dies before its first page (CrashAfterCommitTests).
/// </summary>
public sealed class PublisherStartTests(AppFixture app) : HostTest(app)
{
    private string _connectionString = "";

    private WebApplicationFactory<Program> Node(string outbound) => App.Factory.WithWebHostBuilder(b =>
    {
        b.UseSetting($"ConnectionStrings:{Persistence.ConnectionStringName}", _connectionString);
        b.UseSetting("Integration:Inbound:Enabled", "false");
        b.UseSetting("Integration:Outbound:Queues", outbound);
    });

    private static string Table(string queue) =>
        $"wolverine_queues.wolverine_queue_{ComplianceEvents.Integration.EnvelopeActors.QueueName(queue)}";

    [Fact]
    public async Task a_log_written_before_the_publisher_first_ran_is_not_published_again_and_what_follows_is()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        _connectionString = CreateDatabase(App.ServerConnectionString, "compliance_pubstart_" + suffix);
        await using (var old = Node("old-events-" + suffix))
        {
            var runner = old.Services.GetRequiredService<CommandRunner>();
            await BuildWorld((command, user, roles) => runner.Send(command, new CommandContext(new Actor(user, roles)), default));
            await Expect(runner.Send(World.Evidence("CA", new DateOnly(2024, 7, 12)) with { EvidenceId = "before" },
                new CommandContext(new Actor(World.Analyst, World.AnalystRoles)), default));
        }
        // As a database of the outbox era holds it: the log, and no progress of the publisher.
        await Execute($"delete from compliance.mt_event_progression where name like '{IntegrationPublisher.Name}%'");

        var outbound = "new-events-" + suffix;
        await using var node = Node(outbound);
        var runner2 = node.Services.GetRequiredService<CommandRunner>();
        await Expect(runner2.Send(World.Evidence("CA", new DateOnly(2024, 7, 13)) with { EvidenceId = "after" },
            new CommandContext(new Actor(World.Analyst, World.AnalystRoles)), default));

        await Eventually(() => Scalar($"select count(*) from {Table(outbound)} where message_type = 'EvidenceRecordedV1'"), n => n >= 1,
            "the new evidence's event");
        var last = await Scalar("select max(seq_id) from compliance.mt_events");
        await Eventually(() => Scalar($"select coalesce(max(last_seq_id), 0) from compliance.mt_event_progression where name like " +
            $"'{IntegrationPublisher.Name}%'"), n => n >= last, "the publisher to pass the log's end");
        Assert.Equal(1, await Scalar($"select count(*) from {Table(outbound)} where message_type = 'EvidenceRecordedV1'"));
    }

    [Fact]
    public async Task hosts_starting_together_over_a_log_store_one_starting_point_at_its_end()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        _connectionString = CreateDatabase(App.ServerConnectionString, "compliance_pubstart_" + suffix);
        await using (var old = Node("old-events-" + suffix))
        {
            var runner = old.Services.GetRequiredService<CommandRunner>();
            await BuildWorld((command, user, roles) => runner.Send(command, new CommandContext(new Actor(user, roles)), default));
        }
        await Execute($"delete from compliance.mt_event_progression where name like '{IntegrationPublisher.Name}%'");
        var end = await Scalar("select max(seq_id) from compliance.mt_events");

        // The store alone (no daemon of its own), as each starting host has it before its daemon starts.
        using var store = DocumentStore.For(o => Persistence.Configure(o, _connectionString));
        var horizon = new LogHorizon(store, TimeProvider.System);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            new PublisherStart(store, horizon, NullLogger<PublisherStart>.Instance).StartAsync(default))));

        Assert.Equal(end, await Scalar($"select last_seq_id from compliance.mt_event_progression where name = " +
            $"'{IntegrationPublisher.Name}:All'"));
        Assert.Equal(1, await Scalar("select count(*) from compliance.mt_event_progression where name like " +
            $"'{IntegrationPublisher.Name}%'"));
    }

    private async Task Execute(string sql)
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<long> Scalar(string sql)
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }
}
