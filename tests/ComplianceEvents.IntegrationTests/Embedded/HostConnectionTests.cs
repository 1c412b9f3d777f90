using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.Integration;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Embedded;

/// <summary>With ConnectionStrings:Marten, the server prints that server's address and user, never its password.</summary>
public sealed class HostConnectionTests(AppFixture app) : HostTest(app)
{
    [Fact]
    public async Task an_external_connection_is_printed_without_its_password_and_reaches_the_database()
    {
        var name = "compliance_endpoint_" + Guid.NewGuid().ToString("N")[..6];
        // The test cluster trusts loopback, so the password is never checked; it must only never be printed.
        var given = new NpgsqlConnectionStringBuilder(IntegrationHost.CreateDatabase(App.ServerConnectionString, name))
            { Password = "s3cret-not-for-logs" };
        using var project = new EmbeddedProject();
        try
        {
            using var server = await ServerProcess.Start(project.Folder, new Dictionary<string, string?>
            {
                [$"ConnectionStrings__{Persistence.ConnectionStringName}"] = given.ConnectionString,
                ["Integration__Inbound__Queue"] = "endpoint-commands",
            });
            Assert.DoesNotContain("s3cret-not-for-logs", server.Output);
            Assert.EndsWith($"(password authentication: the password in ConnectionStrings:{Persistence.ConnectionStringName}, not " +
                "printed)", server.Line(HostConnection.ConnectPrefix));
            var printed = new NpgsqlConnectionStringBuilder(server.PrintedConnectionString);
            Assert.Equal((given.Host, given.Port, given.Database, given.Username), (printed.Host, printed.Port, printed.Database,
                printed.Username));
            Assert.StartsWith($"{HostConnection.QueuesPrefix}inbound (commands) wolverine_queues.wolverine_queue_endpoint_commands;",
                server.Line(HostConnection.QueuesPrefix));

            await using var conn = new NpgsqlConnection(server.PrintedConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("select to_regclass('wolverine_queues.wolverine_queue_endpoint_commands') is not null",
                conn);
            Assert.True((bool)(await cmd.ExecuteScalarAsync())!);
            Assert.Equal(0, await server.Terminate());
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(App.ServerConnectionString);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
