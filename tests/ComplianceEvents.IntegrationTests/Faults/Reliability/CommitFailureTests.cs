using System.Net;
using System.Net.Http.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Auth;
using ComplianceEvents.Infrastructure.Chain;
using ComplianceEvents.Integration;
using ComplianceEvents.IntegrationTests.Http;
using ComplianceEvents.IntegrationTests.Integration;
using ComplianceEvents.IntegrationTests.WriteSide;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace ComplianceEvents.IntegrationTests.Faults.Reliability;

/// <summary>
/// A failure between the append and the commit: every statement of the command's transaction succeeded, and the commit itself
/// fails (a deferred constraint trigger on mt_events raises at COMMIT). Nothing of the command may remain: no event, stream,
/// snapshot, text or receipt, no Wolverine envelope and no integration event. Repeated under the same Idempotency-Key once the
/// fault is gone, it takes effect once. On a database of its own (its own node, publishing to a queue of its own), so the
/// trigger never touches the shared fixture.
/// </summary>
public sealed class CommitFailureTests(AppFixture app, ITestOutputHelper output) : HostTest(app)
{
    // The raise imitates the server going away at the commit (57P01 admin_shutdown, as a fast shutdown answers): the host
    // answers it as an outage, 503 with Retry-After, the documented answer for "repeat under the same Idempotency-Key".
    private const string Fault =
        """
        create function compliance.fail_at_commit() returns trigger language plpgsql as $$
        begin
          raise exception 'the commit of sequence % failed (a test fault)', new.seq_id using errcode = '57P01';
        end $$;
        create constraint trigger fail_at_commit after insert on compliance.mt_events deferrable initially deferred
          for each row when (new.type = 'evidence_recorded') execute function compliance.fail_at_commit();
        """;

    [Fact]
    public async Task a_commit_that_fails_after_the_append_leaves_no_event_no_receipt_and_no_message_and_the_retry_takes_effect_once()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var connectionString = IntegrationHost.CreateDatabase(App.ServerConnectionString, "compliance_commit_" + suffix);
        var outbound = $"wolverine_queues.wolverine_queue_{EnvelopeActors.QueueName("events-" + suffix)}";
        try
        {
            await using (var node = App.Factory.WithWebHostBuilder(b =>
            {
                b.UseSetting($"ConnectionStrings:{Persistence.ConnectionStringName}", connectionString);
                b.UseSetting("Integration:Inbound:Enabled", "false");
                b.UseSetting("Integration:Outbound:Queues", "events-" + suffix);
            }))
            {
                var runner = node.Services.GetRequiredService<CommandRunner>();
                await IntegrationHost.BuildWorld((command, user, roles) =>
                    runner.Send(command, new CommandContext(new Actor(user, roles)), default));
                using var client = node.CreateClient();
                client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
                    DevTokens.Mint(node.Services.GetRequiredService<AuthSettings>(), World.Analyst, World.AnalystRoles));
                HttpRequestMessage Write() => new(HttpMethod.Post, $"/cycles/{World.Cycle}/commitments/{World.C19}/assessments/CA/evidence")
                {
                    Content = JsonContent.Create(World.Evidence("CA", new DateOnly(2024, 7, 12)), options: ApiJson.Options),
                    Headers = { { "Idempotency-Key", "harvest-commit" } },
                };
                await Execute(connectionString, Fault);
                var before = await Count(connectionString, "select count(*) from compliance.mt_events where stream_id <> 'mt_tombstone'");

                var failed = await client.SendAsync(Write());
                Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
                Assert.Contains("database-unavailable", await failed.Content.ReadAsStringAsync());
                var cell = Assessment.StreamKey(World.Cycle, World.C19, "CA");
                var left = new Dictionary<string, string>
                {
                    ["events"] = "select count(*) from compliance.mt_events where stream_id <> 'mt_tombstone'",
                    ["the cell's stream"] = $"select count(*) from compliance.mt_streams where id = '{cell}'",
                    ["the cell's snapshot"] = $"select count(*) from compliance.mt_doc_assessment where id = '{cell}'",
                    ["its cell score"] = $"select count(*) from compliance.mt_doc_cellscore where id = '{cell}'",
                    ["evidence texts"] = "select count(*) from compliance.mt_doc_evidencetext",
                    ["receipts"] = "select count(*) from compliance.mt_doc_commandreceipt",
                    ["outgoing envelopes"] = "select count(*) from compliance.wolverine_outgoing_envelopes",
                    ["incoming envelopes"] = "select count(*) from compliance.wolverine_incoming_envelopes",
                    ["integration events in the outbound queue"] = $"select count(*) from {outbound}",
                };
                foreach (var (what, sql) in left)
                    Assert.True(await Count(connectionString, sql) == (what == "events" ? before : 0), $"the failed commit left {what}");
                // Marten fills the sequence numbers the failed append took with tombstones (EventChain.TombstoneStream).
                var tombstones = await Count(connectionString,
                    $"select count(*) from compliance.mt_events where stream_id = '{EventChain.TombstoneStream}'");
                Assert.Equal(tombstones, await Count(connectionString, "select count(*) from compliance.mt_events " +
                    $"where stream_id = '{EventChain.TombstoneStream}' and type = '{EventChain.TombstoneType}'"));

                await Execute(connectionString,
                    "drop trigger fail_at_commit on compliance.mt_events; drop function compliance.fail_at_commit()");
                var retried = await client.SendAsync(Write());
                Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
                Assert.False(retried.Headers.Contains("Idempotent-Replay"), "nothing of the failed attempt was there to replay");
                var repeated = await client.SendAsync(Write());
                Assert.True(repeated.Headers.Contains("Idempotent-Replay"),
                    $"the repeat answered {(int)repeated.StatusCode}, not as a replay");
                Assert.Equal(before + 2, await Count(connectionString, left["events"])); // AssessmentOpened, EvidenceRecorded
                Assert.Equal(1, await Count(connectionString, left["receipts"]));
                await IntegrationHost.Eventually(() => Count(connectionString, $"select count(*) from {outbound} " +
                    "where message_type = 'EvidenceRecordedV1'"), n => n == 1, "the one integration event of the retried command");
                output.WriteLine($"the failed commit: 503, nothing left; {tombstones} tombstone(s); the retry 201, the repeat a replay");
            }
            await Invariants.AssertHold(connectionString, App.ChainKey);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await Execute(App.ServerConnectionString, $"drop database if exists compliance_commit_{suffix} with (force)");
        }
    }

    private static async Task Execute(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<long> Count(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
