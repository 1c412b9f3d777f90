using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ComplianceEvents.Infrastructure.Auth;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Integration;
using ComplianceEvents.Integration.PublishingEvents;
using ComplianceEvents.IntegrationTests.WriteSide;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>
/// Issue 9 item 3, outbound: "a crash after commit still delivers", and issue 20: integration events are published from
/// the log by the daemon. The product runs as its own process on a database of its own; a table is locked so that the
/// process commits the command but its publisher stops at one of two points, then the process is killed (SIGKILL, no
/// shutdown), and another node delivers the integration event, exactly once:
/// - the outbox table: the publisher's page (its messages with its new position) cannot commit; the other node's daemon
///   publishes the event from the log;
/// - the outbound queue table: the page committed (the message stored with the position) but cannot be moved to the
///   queue; the other node's durability agent recovers the stored message, and its daemon does not publish it again.
/// </summary>
public sealed class CrashAfterCommitTests(AppFixture app) : HostTest(app)
{
    private string _connectionString = "";

    // The first point failed until the publisher's starting point was stored at start-up (PublisherStart): the killed node
    // had committed no page, so the next node found no progress row and started "from the present", after the event.
    [Theory]
    [InlineData("outbound queue")]
    [InlineData("compliance.wolverine_outgoing_envelopes")]
    public async Task an_integration_event_committed_by_a_process_killed_before_publishing_is_delivered_once_by_another_node(string locked)
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        _connectionString = IntegrationHost.CreateDatabase(App.ServerConnectionString, "compliance_crash_" + suffix);
        var (inbound, outbound) = ("crash-commands-" + suffix, "crash-events-" + suffix);
        var queueTable = $"wolverine_queues.wolverine_queue_{EnvelopeActors.QueueName(outbound)}";
        var lockedTable = locked == "outbound queue" ? queueTable : locked;
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        // The world, built by a node that is gone before the product starts (the daemon runs on one node at a time).
        await using (var setup = Node(inbound, outbound, key))
        {
            var runner = setup.Services.GetRequiredService<CommandRunner>();
            await BuildWorld((command, user, roles) => runner.Send(command, new CommandContext(new Actor(user, roles)), default));
        }

        using var product = await HostProcess.Start(_connectionString, key, inbound, outbound);
        await Eventually(() => Scalar<long>($"select count(*) from information_schema.tables where table_schema || '.' || table_name = " +
            $"'{queueTable}'"),
            n => n == 1, "the product process to create its outbound queue table");

        await using var blocker = new NpgsqlConnection(_connectionString);
        await blocker.OpenAsync();
        await using var lockTx = await blocker.BeginTransactionAsync();
        await using (var lockCmd = new NpgsqlCommand($"lock table {lockedTable} in access exclusive mode", blocker, lockTx))
            await lockCmd.ExecuteNonQueryAsync();

        using var client = product.Client(key, World.Analyst, World.AnalystRoles);
        var posting = client.PostAsJsonAsync($"/cycles/{World.Cycle}/commitments/{World.C19}/assessments/CA/evidence",
            World.Evidence("CA", new DateOnly(2024, 7, 12)), Http.ApiJson.Options);
        // The command commits on its own: one transaction, no outbox row.
        await Eventually(() => Scalar<long>("select count(*) from compliance.mt_events where type = 'evidence_recorded'"), n => n == 1,
            "the evidence to commit");
        if (lockedTable == queueTable)
            await Eventually(() => Scalar<long>(
                $"select count(*) from compliance.wolverine_outgoing_envelopes where message_type = 'EvidenceRecordedV1' and destination " +
                    $"like '%{EnvelopeActors.QueueName(outbound)}%'"),
                n => n == 1, "the publisher's page to commit its message");
        else
            Assert.True(await Scalar<long>($"select coalesce(max(last_seq_id), 0) from compliance.mt_event_progression where name like " +
                $"'{IntegrationPublisher.Name}%'") < await Scalar<long>("select max(seq_id) from compliance.mt_events"));

        await using (var count = new NpgsqlCommand($"select count(*) from {queueTable}", blocker, lockTx))
            Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);

        // The crash: the process dies, and its connections with it (the server would notice a dead client only at its
        // next write, and a statement blocked on the lock would still complete on the client's behalf).
        product.Kill();
        await using (var terminate = new NpgsqlCommand(
            $"select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = " +
                $"'{HostProcess.ApplicationName}'", blocker, lockTx))
            await terminate.ExecuteScalarAsync();
        await lockTx.RollbackAsync();
        _ = posting.ContinueWith(t => t.Exception, TaskScheduler.Default); // the killed process never answers, or answered 201 already

        // Another node of the same service, configured with the same queues, takes over.
        await using var survivor = Node(inbound, outbound, key);
        _ = survivor.Server;
        await Eventually(() => Scalar<long>($"select count(*) from {queueTable} where message_type = 'EvidenceRecordedV1'"), n => n >= 1,
            "the event in the outbound queue", seconds: 60);
        await Eventually(() => Scalar<long>("select count(*) from compliance.wolverine_outgoing_envelopes"), n => n == 0,
            "the outbox to be empty once delivered");
        var last = await Scalar<long>("select max(seq_id) from compliance.mt_events");
        await Eventually(() => Scalar<long>($"select coalesce(max(last_seq_id), 0) from compliance.mt_event_progression where name like " +
            $"'{IntegrationPublisher.Name}%'"), n => n >= last, "the publisher to pass the event");
        Assert.Equal(1, await Scalar<long>($"select count(*) from {queueTable} where message_type = 'EvidenceRecordedV1'"));
        Assert.Equal(1, await Scalar<long>("select count(*) from compliance.mt_events where type = 'evidence_recorded'"));
    }

    /// <summary>A node in this process; it signs the chain with the product process's key, as nodes of one deployment do (with
    /// the fixture's own key, the product would rightly find every event the setup chained signed by another key).</summary>
    private WebApplicationFactory<Program> Node(string inbound, string outbound, string chainKey) => App.Factory.WithWebHostBuilder(b =>
    {
        b.UseSetting("Chain:Key", chainKey);
        b.UseSetting($"ConnectionStrings:{Infrastructure.Persistence.ConnectionStringName}", _connectionString);
        b.UseSetting("Integration:Inbound:Queue", inbound);
        b.UseSetting("Integration:Outbound:Queues", outbound);
        b.UseSetting("Integration:RecoveryPollingInterval", "00:00:00.250");
    });

    private async Task<T> Scalar<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}
