using Npgsql;

namespace ComplianceEvents.IntegrationTests.Embedded;

/// <summary>
/// A CLI command run beside the server (another shell, none of the server's Integration settings) reuses the server's
/// embedded cluster, leaves it running, and what it appends is published by the server's daemon to the server's queues:
/// the CLI's own configuration decides nothing about outbound delivery (docs/integration.md, "Where it runs").
/// </summary>
public sealed class CliBesideServerTests : IDisposable
{
    private readonly EmbeddedProject _project = new();

    [Fact]
    public async Task a_cli_command_beside_the_server_is_published_to_the_servers_queues_and_leaves_its_cluster_running()
    {
        using var server = await ServerProcess.Start(_project.Folder, new Dictionary<string, string?>
        {
            ["Integration__Outbound__Queues"] = "endpoint-events",
        });
        var none = new Dictionary<string, string?>();
        var (exit, _, error) = await ProductProcess.Run(_project.Folder, none, "import", Repo.PathOf("data", "seeds", "2024-apulia.json"));
        Assert.True(exit == 0, error);
        Assert.Contains($"reusing it (its server pid {server.Pid} stops it)", error);
        (exit, _, error) = await ProductProcess.Run(_project.Folder, none, "publish", "2024-apulia", "--kind", "interim");
        Assert.True(exit == 0, error);

        await using var conn = new NpgsqlConnection(server.PrintedConnectionString);
        await conn.OpenAsync();
        await Integration.IntegrationHost.Eventually(() => Count(conn, "wolverine_queues.wolverine_queue_endpoint_events"), n => n > 0,
            "ReportPublishedV1 in the server's outbound queue", seconds: 60);
        Assert.Equal(1, await Count(conn, "wolverine_queues.wolverine_queue_endpoint_events"));
        // The CLI's default queue (it was given no Integration settings) received nothing: the server published it.
        Assert.Equal(0, await Count(conn, "wolverine_queues.wolverine_queue_compliance_events"));
        Assert.Equal(0, await server.Terminate());
    }

    private static async Task<long> Count(NpgsqlConnection conn, string table)
    {
        await using var exists = new NpgsqlCommand($"select to_regclass('{table}') is not null", conn);
        if (!(bool)(await exists.ExecuteScalarAsync())!) return 0;
        await using var cmd = new NpgsqlCommand($"select count(*) from {table} where message_type = 'ReportPublishedV1'", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    public void Dispose() => _project.Dispose();
}
