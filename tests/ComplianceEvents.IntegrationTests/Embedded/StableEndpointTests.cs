using System.Net;
using System.Net.Sockets;
using ComplianceEvents.Infrastructure;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Embedded;

/// <summary>
/// The embedded cluster as an integrator's endpoint: its port never moves (remembered in the data directory, or set by
/// Embedded:Port), a taken port is named rather than replaced, and whoever finds a crashed host's cluster stops it.
/// Each test runs the product as its own processes in a project folder of its own (EmbeddedProject).
/// </summary>
public sealed class StableEndpointTests : IDisposable
{
    private readonly EmbeddedProject _folder = new();
    private string Project => _folder.Folder;
    private string DataDirectory => _folder.DataDirectory;

    [Fact]
    public async Task the_embedded_port_survives_a_graceful_restart_and_a_kill_9_restart()
    {
        int port;
        using (var first = await ServerProcess.Start(Project))
        {
            port = first.EmbeddedPort;
            Assert.StartsWith("Embedded PostgreSQL started from", first.Line("Embedded PostgreSQL"));
            Assert.Equal(0, await first.Terminate());
        }
        Assert.Null(LocalPostgres.Inspect(DataDirectory).RunningPort);

        using (var second = await ServerProcess.Start(Project))
        {
            Assert.StartsWith("Embedded PostgreSQL started from", second.Line("Embedded PostgreSQL"));
            Assert.Equal(port, second.EmbeddedPort);
            await second.Kill();
        }
        Assert.Equal(port, LocalPostgres.Inspect(DataDirectory).RunningPort);

        using var third = await ServerProcess.Start(Project);
        Assert.Equal(port, third.EmbeddedPort);
        Assert.Equal(0, await third.Terminate());
        Assert.Equal(port, ClusterPort.Remembered(DataDirectory));
    }

    [Fact]
    public async Task a_host_that_finds_the_cluster_of_a_killed_host_takes_it_over_and_stops_it_on_shutdown()
    {
        using (var crashed = await ServerProcess.Start(Project)) await crashed.Kill();
        var left = LocalPostgres.Inspect(DataDirectory);
        Assert.NotNull(left.RunningPort);
        Assert.False(left.Owner!.IsAlive);

        using var next = await ServerProcess.Start(Project);
        Assert.Contains("reusing it and stopping it on exit", next.Line("Embedded PostgreSQL"));
        Assert.Equal(next.Pid, LocalPostgres.Inspect(DataDirectory).Owner!.Pid);
        Assert.Equal(0, await next.Terminate());
        Assert.Null(LocalPostgres.Inspect(DataDirectory).RunningPort);
        Assert.False(CanConnect(left.RunningPort!.Value));
    }

    [Fact]
    public async Task a_server_takes_over_the_cluster_a_running_command_started_and_the_command_leaves_it_running()
    {
        using var command = LocalPostgres.StartOrReuse(DataDirectory, server: false); // this test process, as a CLI command
        using (var server = await ServerProcess.Start(Project))
        {
            Assert.Contains($"taken over from command pid {Environment.ProcessId}, which leaves it running",
                server.Line("Embedded PostgreSQL"));
            command.Dispose();
            Assert.True(CanConnect(command.Port), "the command stopped the cluster under the server");
            Assert.Equal(0, await server.Terminate());
        }
        Assert.False(CanConnect(command.Port));
    }

    [Fact]
    public async Task cluster_stop_refuses_while_a_live_host_owns_the_cluster_and_stops_the_one_a_killed_host_left()
    {
        using var server = await ServerProcess.Start(Project);
        var (exit, output, error) = await ProductProcess.Run(Project, NoSettings, "cluster", "stop");
        Assert.NotEqual(0, exit);
        Assert.Equal("", output);
        Assert.Equal($"cluster stop: the embedded PostgreSQL in {DataDirectory} belongs to a running server pid {server.Pid}: stop that " +
            "process, or add --force to cut its connections\n", error);
        Assert.True(CanConnect(server.EmbeddedPort), "a refused stop stopped the cluster");

        (exit, output, _) = await ProductProcess.Run(Project, NoSettings, "cluster", "status");
        Assert.Equal(0, exit);
        Assert.Equal($"running from {DataDirectory} on 127.0.0.1 port {server.EmbeddedPort}, owned by server pid {server.Pid} (running)\n",
            output);

        await server.Kill();
        Assert.True(CanConnect(server.EmbeddedPort), "the cluster outlives a killed host");
        (exit, output, error) = await ProductProcess.Run(Project, NoSettings, "cluster", "stop");
        Assert.True(exit == 0, error);
        Assert.Equal($"stopped: {DataDirectory}\n", output);
        Assert.False(CanConnect(server.EmbeddedPort));
        Assert.Null(LocalPostgres.Inspect(DataDirectory).RunningPort);
    }

    [Fact]
    public async Task a_configured_port_is_used_and_remembered_and_a_taken_one_is_refused_in_one_line_naming_the_setting()
    {
        var configured = LocalPostgres.FreePort();
        var env = new Dictionary<string, string?> { [ClusterPort.EnvironmentVariable] = configured.ToString() };
        var (_, _, error) = await ProductProcess.Run(Project, env, "scores", "no-such-cycle");
        Assert.Contains($"Embedded PostgreSQL started from {DataDirectory} on port {configured}.", error);
        Assert.Equal(configured, ClusterPort.Remembered(DataDirectory));

        // Remembered: a later run without the setting takes the same port, and refuses it by name once another process holds it.
        using var taken = new TcpListener(IPAddress.Loopback, configured);
        taken.Start();
        var (exit, output, refused) = await ProductProcess.Run(Project, NoSettings, "scores", "no-such-cycle");
        Assert.NotEqual(0, exit);
        Assert.Equal("", output);
        Assert.Equal($"PostgreSQL could not start for {DataDirectory}: port {configured} on 127.0.0.1 (remembered in " +
            $"{DataDirectory}/embedded-port) is taken by another process: free it, or set Embedded__Port to another port\n", refused);

        var busy = ((IPEndPoint)taken.LocalEndpoint).Port;
        env[ClusterPort.EnvironmentVariable] = busy.ToString();
        (exit, _, refused) = await ProductProcess.Run(Project, env, []);
        Assert.NotEqual(0, exit);
        Assert.Single(refused.TrimEnd('\n').Split('\n'));
        Assert.Contains($"port {busy} on 127.0.0.1 (set by Embedded:Port) is taken by another process", refused);
        Assert.Null(LocalPostgres.Inspect(DataDirectory).RunningPort);
    }

    [Fact]
    public async Task the_printed_connection_reaches_the_embedded_database_and_its_queue_tables()
    {
        using var server = await ServerProcess.Start(Project);
        Assert.EndsWith("(trust authentication on 127.0.0.1, no password)", server.Line(HostConnection.ConnectPrefix));
        Assert.Equal($"{HostConnection.QueuesPrefix}inbound (commands) wolverine_queues.wolverine_queue_compliance_commands; outbound " +
            "(events) wolverine_queues.wolverine_queue_compliance_events", server.Line(HostConnection.QueuesPrefix));

        await using var conn = new NpgsqlConnection(server.PrintedConnectionString);
        await conn.OpenAsync();
        foreach (var table in new[] { "wolverine_queues.wolverine_queue_compliance_commands",
            "wolverine_queues.wolverine_queue_compliance_events" })
        {
            await using var cmd = new NpgsqlCommand($"select to_regclass('{table}') is not null", conn);
            Assert.True((bool)(await cmd.ExecuteScalarAsync())!, $"{table} does not exist on the printed connection");
        }
        await conn.CloseAsync();
        Assert.Equal(0, await server.Terminate());
    }

    [Fact]
    public void a_configured_port_other_than_the_running_clusters_is_refused_in_one_line_and_the_cluster_kept()
    {
        using var running = LocalPostgres.StartOrReuse(DataDirectory);
        var other = LocalPostgres.FreePort();
        var e = Assert.Throws<EmbeddedPostgresException>(() => LocalPostgres.StartOrReuse(DataDirectory, configuredPort: other));
        Assert.Equal($"the embedded PostgreSQL in {DataDirectory} already runs on port {running.Port}, not {other} (Embedded:Port): stop " +
            $"it first (cluster stop) or set Embedded__Port={running.Port}", e.Message);
        Assert.True(CanConnect(running.Port));
        Assert.Equal(running.Port, ClusterPort.Remembered(DataDirectory));
    }

    [Fact]
    public void an_owner_is_alive_only_while_its_pid_belongs_to_the_process_that_started_at_the_recorded_time()
    {
        var me = ClusterOwnership.Me(server: true);
        Directory.CreateDirectory(DataDirectory);
        ClusterOwnership.Write(DataDirectory, me);
        Assert.Equal(me, ClusterOwnership.Read(DataDirectory));
        Assert.True(me.IsAlive);
        Assert.True(me.IsMe);
        Assert.False((me with { StartTime = me.StartTime + 1 }).IsAlive); // the pid recycled by a later process
        using var exited = System.Diagnostics.Process.Start("true")!;
        exited.WaitForExit();
        Assert.False(new ClusterOwner(exited.Id, 0, Server: false).IsAlive);
    }

    private static readonly Dictionary<string, string?> NoSettings = new();

    private static bool CanConnect(int port) => EmbeddedProject.CanConnect(port);

    public void Dispose() => _folder.Dispose();
}
