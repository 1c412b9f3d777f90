using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceEvents.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Http;

/// <summary>/health on hosts of their own: a fresh empty database, and a database that goes away.</summary>
public sealed class HealthTests(AppFixture app) : HostTest(app)
{
    [Fact]
    public async Task a_fresh_empty_database_is_healthy_as_soon_as_the_host_has_started()
    {
        var database = "compliance_empty_" + Guid.NewGuid().ToString("N")[..8];
        await Execute(App.ServerConnectionString, $"CREATE DATABASE {database}");
        var connectionString = new NpgsqlConnectionStringBuilder(App.ServerConnectionString) { Database = database }.ConnectionString;
        try
        {
            await using (var host = HostOn(connectionString))
            {
                var response = await host.CreateClient().GetAsync("/health");
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
                Assert.Equal("healthy", body.GetProperty("status").GetString());
                Assert.Equal(0, body.GetProperty("eventHighWaterMark").GetInt64());
            }
            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync();
            await using var tables = new NpgsqlCommand(
                "select count(*) filter (where table_name = 'mt_events'), count(*) filter (where table_name like 'wolverine%') from " +
                    "information_schema.tables", conn);
            await using var reader = await tables.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.Equal(1, reader.GetInt64(0));
            Assert.True(reader.GetInt64(1) > 0, "no Wolverine tables were set up at start-up");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await Execute(App.ServerConnectionString, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    [Fact]
    public async Task a_database_that_goes_away_is_a_503_with_the_reason()
    {
        var cluster = LocalPostgres.StartTemporary();
        try
        {
            await using var host = HostOn(cluster.ConnectionString());
            var client = host.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
            cluster.Dispose();
            NpgsqlConnection.ClearAllPools();

            var response = await client.GetAsync("/health");
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("unreachable", body.GetProperty("database").GetString());
            Assert.StartsWith("the database is unreachable", body.GetProperty("reasons")[0].GetString());
        }
        finally
        {
            cluster.Dispose();
        }
    }

    private WebApplicationFactory<Program> HostOn(string connectionString)
    {
        var host = App.Factory.WithWebHostBuilder(b => b.UseSetting($"ConnectionStrings:{Persistence.ConnectionStringName}",
            connectionString));
        _ = host.Server;
        return host;
    }

    private static async Task Execute(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
