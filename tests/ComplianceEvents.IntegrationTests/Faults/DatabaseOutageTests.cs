using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Auth;
using ComplianceEvents.IntegrationTests.Http;
using ComplianceEvents.IntegrationTests.WriteSide;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Faults;

/// <summary>
/// Issue 15 item 4, outages answered honestly (docs/api.md "Outages"): while the database is down (the server stopped with
/// -m immediate, as a crash would) or hangs (its processes stopped), a write and a read answer 503 problem details with
/// Retry-After within Outages.Bound, not a 500 and not after the outage; /health is 503; when the server is back the same
/// host serves again, and a write repeated under its Idempotency-Key takes effect once. A write whose connection breaks
/// while it commits answers 503 commit-outcome-unknown naming its key. On clusters of their own: the fixture's server is
/// shared by every other test.
/// </summary>
public sealed class DatabaseOutageTests(AppFixture app) : HostTest(app)
{
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task while_the_database_is_down_requests_answer_503_with_retry_after_at_once_and_the_host_recovers_by_itself()
    {
        using var cluster = LocalPostgres.StartTemporary();
        await using var node = await Node(cluster.ConnectionString(), "compliance_outage");
        using var client = node.Client;
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(Write("before"))).StatusCode);

        cluster.Crash();
        var clock = Stopwatch.StartNew();
        var write = await client.SendAsync(Write("during"));
        var read = await client.GetAsync($"/cycles/{World.Cycle}/scores");
        var health = await client.GetAsync("/health");
        var took = clock.Elapsed;
        foreach (var answer in new[] { write, read }) (await AssertOutage(answer, "database-unavailable")).Dispose();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        // A refused connection fails at once: three requests in a row stay well inside one request's bound.
        Assert.True(took < Outages.Bound, $"three requests during the outage took {took}");

        cluster.Resume();
        await AssertRecovers(client, node.ConnectionString, "during");
    }

    [Fact]
    public async Task while_the_database_hangs_every_request_answers_503_within_the_stated_bound_and_the_host_recovers()
    {
        using var cluster = LocalPostgres.StartTemporary();
        await using var node = await Node(cluster.ConnectionString(), "compliance_hang");
        using var client = node.Client;
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(Write("before"))).StatusCode);

        // Connections are accepted by the kernel and statements are sent, but nothing answers: only the bounds end the wait.
        cluster.Freeze();
        (HttpResponseMessage Answer, TimeSpan Took)[] answers;
        try
        {
            answers = await Task.WhenAll(Timed(client.SendAsync(Write("hung"))), Timed(client.GetAsync($"/cycles/{World.Cycle}/scores")),
                Timed(client.GetAsync("/health")));
        }
        finally { cluster.Thaw(); }
        Assert.True(answers.All(a => a.Took < Outages.Bound + Slack), $"requests to a hung database took " +
            $"{string.Join(", ", answers.Select(a => a.Took))} (write, read, health); the stated bound is {Outages.Bound}");
        // The write hung in its read or in its commit: either way a 503 that tells the client to repeat it under its key.
        (await AssertOutage(answers[0].Answer, "database-unavailable", "commit-outcome-unknown")).Dispose();
        (await AssertOutage(answers[1].Answer, "database-unavailable")).Dispose();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answers[2].Answer.StatusCode);
        await AssertRecovers(client, node.ConnectionString, "hung");
    }

    [Fact]
    public async Task a_write_whose_connection_breaks_while_it_commits_answers_commit_outcome_unknown_and_its_repeat_applies_once()
    {
        using var cluster = LocalPostgres.StartTemporary();
        await using var node = await Node(cluster.ConnectionString(), "compliance_commit_break");
        using var client = node.Client;
        // At COMMIT (a deferred trigger), the server ends the writing session itself: the client sees its connection end
        // while the commit is under way, which is all it can know; here the transaction is rolled back.
        await Sql(node.ConnectionString, """
            create function compliance.break_at_commit() returns trigger language plpgsql as $$
            begin
              if new.data->>'EvidenceId' = 'doomed' then perform pg_terminate_backend(pg_backend_pid()); perform pg_sleep(5); end if;
              return null;
            end $$;
            create constraint trigger break_at_commit after insert on compliance.mt_events deferrable initially deferred
              for each row execute function compliance.break_at_commit();
            """);

        var answer = await client.SendAsync(Write("doomed"));
        using (var problem = await AssertOutage(answer, "commit-outcome-unknown"))
        {
            Assert.Equal("doomed", problem.RootElement.GetProperty("idempotencyKey").GetString());
            Assert.Contains("may or may not have been saved", problem.RootElement.GetProperty("detail").GetString());
        }
        Assert.Equal(0L, await Count(node.ConnectionString, "doomed"));

        await Sql(node.ConnectionString, "drop trigger break_at_commit on compliance.mt_events");
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(Write("doomed"))).StatusCode);
        Assert.True((await client.SendAsync(Write("doomed"))).IsSuccessStatusCode, "a repeat answers as the first did");
        Assert.Equal(1L, await Count(node.ConnectionString, "doomed"));
    }

    private static async Task<(HttpResponseMessage, TimeSpan)> Timed(Task<HttpResponseMessage> request)
    {
        var clock = Stopwatch.StartNew();
        var answer = await request;
        return (answer, clock.Elapsed);
    }

    private static HttpRequestMessage Write(string key) => new(HttpMethod.Post,
        $"/cycles/{World.Cycle}/commitments/{World.C19}/assessments/CA/evidence")
    {
        Content = JsonContent.Create(World.Evidence("CA", new DateOnly(2024, 7, 12)) with { EvidenceId = key }, options: ApiJson.Options),
        Headers = { { "Idempotency-Key", key } },
    };

    private static async Task<JsonDocument> AssertOutage(HttpResponseMessage answer, params string[] rules)
    {
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)answer.StatusCode}: {body}");
        Assert.Equal(Problems.RetryAfterSeconds, answer.Headers.GetValues("Retry-After").Single());
        var problem = JsonDocument.Parse(body);
        var type = problem.RootElement.GetProperty("type").GetString()!;
        Assert.Contains(rules, rule => type == Problems.TypeBase + rule);
        Assert.Contains("Idempotency-Key", problem.RootElement.GetProperty("detail").GetString());
        return problem;
    }

    /// <summary>The same host serves again once the database is back, and a write repeated under its key is applied once.</summary>
    private static async Task AssertRecovers(HttpClient client, string connectionString, string key)
    {
        var again = await Eventually(async () => (await client.SendAsync(Write(key))).StatusCode,
            s => s is HttpStatusCode.Created or HttpStatusCode.OK, "the same host to serve again once the database is back", seconds: 60);
        Assert.True(again is HttpStatusCode.Created or HttpStatusCode.OK, $"{again}");
        Assert.True((await client.SendAsync(Write(key))).IsSuccessStatusCode, "a repeat answers as the first did");
        Assert.Equal(1L, await Count(connectionString, key));
        Assert.Equal(1L, await Count(connectionString, "before"));
    }

    private sealed record OutageNode(WebApplicationFactory<Program> Factory, HttpClient Client, string ConnectionString)
        : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Factory.DisposeAsync();
    }

    private async Task<OutageNode> Node(string serverConnectionString, string database)
    {
        var connectionString = CreateDatabase(serverConnectionString, database);
        var node = App.Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting($"ConnectionStrings:{Persistence.ConnectionStringName}", connectionString);
            b.UseSetting("Integration:Inbound:Enabled", "false");
        });
        var runner = node.Services.GetRequiredService<CommandRunner>();
        await BuildWorld((command, user, roles) => runner.Send(command, new CommandContext(new Actor(user, roles)), default));
        var client = node.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
            DevTokens.Mint(node.Services.GetRequiredService<AuthSettings>(), World.Analyst, World.AnalystRoles));
        return new OutageNode(node, client, connectionString);
    }

    private static async Task Sql(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<long> Count(string connectionString, string evidenceId)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select count(*) from compliance.mt_events where type = 'evidence_recorded' and " +
            "data->>'EvidenceId' = @id", conn);
        cmd.Parameters.AddWithValue("id", evidenceId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
