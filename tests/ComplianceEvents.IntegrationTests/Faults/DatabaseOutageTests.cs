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
/// Issue 15 item 4, outages answered honestly: while the database is down (the server stopped with -m immediate, as a crash
/// would), a write and a read answer 503 problem details with Retry-After at once, not a 500 and not after the outage;
/// /health is 503; when the server is back the same host serves again, and a write repeated under its Idempotency-Key takes
/// effect once. On a cluster of its own: the fixture's server is shared by every other test.
/// </summary>
public sealed class DatabaseOutageTests(AppFixture app) : HostTest(app)
{
    [Fact]
    public async Task while_the_database_is_down_requests_answer_503_with_retry_after_at_once_and_the_host_recovers_by_itself()
    {
        using var cluster = LocalPostgres.StartTemporary();
        var connectionString = CreateDatabase(cluster.ConnectionString(), "compliance_outage");
        await using var node = App.Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting($"ConnectionStrings:{Persistence.ConnectionStringName}", connectionString);
            b.UseSetting("Integration:Inbound:Enabled", "false");
        });
        var runner = node.Services.GetRequiredService<CommandRunner>();
        await BuildWorld((command, user, roles) => runner.Send(command, new CommandContext(new Actor(user, roles)), default));
        using var client = node.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
            DevTokens.Mint(node.Services.GetRequiredService<AuthSettings>(), World.Analyst, World.AnalystRoles));
        var evidence = $"/cycles/{World.Cycle}/commitments/{World.C19}/assessments/CA/evidence";
        HttpRequestMessage Write(string key) => new(HttpMethod.Post, evidence)
        {
            Content = JsonContent.Create(World.Evidence("CA", new DateOnly(2024, 7, 12)) with { EvidenceId = key },
                options: ApiJson.Options),
            Headers = { { "Idempotency-Key", key } },
        };
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(Write("before"))).StatusCode);

        cluster.Crash();
        var clock = Stopwatch.StartNew();
        var write = await client.SendAsync(Write("during"));
        var read = await client.GetAsync($"/cycles/{World.Cycle}/scores");
        var health = await client.GetAsync("/health");
        var took = clock.Elapsed;
        foreach (var answer in new[] { write, read })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Equal("5", answer.Headers.GetValues("Retry-After").Single());
            using var problem = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            Assert.EndsWith("/database-unavailable", problem.RootElement.GetProperty("type").GetString());
            Assert.Contains("Idempotency-Key", problem.RootElement.GetProperty("detail").GetString());
        }
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.True(took < TimeSpan.FromSeconds(20), $"three requests during the outage took {took}");

        cluster.Resume();
        var again = await Eventually(async () => (await client.SendAsync(Write("during"))).StatusCode, s => s == HttpStatusCode.Created,
            "the same host to serve again once the database is back", seconds: 60);
        Assert.Equal(HttpStatusCode.Created, again);
        Assert.True((await client.SendAsync(Write("during"))).IsSuccessStatusCode, "a repeat answers as the first did");
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from compliance.mt_events where type = 'evidence_recorded'", conn);
        Assert.Equal(2L, (long)(await count.ExecuteScalarAsync())!);
    }
}
