using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.Integration;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Chaos;

/// <summary>
/// Every chaos scenario runs on a PostgreSQL cluster of its own (initdb defaults: fsync and synchronous_commit on), so a
/// crash of it touches nothing else, with product hosts started (and killed) as processes of their own by their ids.
/// </summary>
internal sealed class ChaosCluster : IDisposable
{
    private readonly List<HostProcess> _hosts = [];

    private ChaosCluster(LocalPostgres server, string connectionString)
    {
        Server = server;
        ConnectionString = connectionString;
    }

    public LocalPostgres Server { get; }
    public string ConnectionString { get; }

    /// <summary>Signs the test's tokens and is the hosts' chain key (HostProcess), so verify-log can be checked with it.</summary>
    public string Key { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    public string Inbound => "chaos-commands-" + _suffix;
    public string Outbound => "chaos-events-" + _suffix;

    public static async Task<ChaosCluster> Start()
    {
        var server = LocalPostgres.StartTemporary();
        var chaos = new ChaosCluster(server, IntegrationHost.CreateDatabase(server.ConnectionString(), "compliance_chaos"));
        // The guarantees are about a durable commit: a test run on a cluster that does not flush would prove nothing.
        Assert.Equal("on", await chaos.Scalar<string>("show fsync"));
        Assert.Equal("on", await chaos.Scalar<string>("show synchronous_commit"));
        return chaos;
    }

    /// <summary>A product host on this cluster's database; disposed (killed if still running) with the cluster.</summary>
    public async Task<HostProcess> StartHost(IReadOnlyDictionary<string, string>? settings = null)
    {
        var host = await HostProcess.Start(ConnectionString, Key, Inbound, Outbound, settings);
        lock (_hosts) _hosts.Add(host);
        return host;
    }

    /// <summary>PostgreSQL stopped with <c>-m immediate</c>, as a crash would.</summary>
    public void Crash() => Server.Crash();

    /// <summary>PostgreSQL started again; the test's own pooled connections died with the server and are dropped.</summary>
    public void Resume()
    {
        Server.Resume();
        using var pooled = new NpgsqlConnection(ConnectionString);
        NpgsqlConnection.ClearPool(pooled);
    }

    public async Task<T> Scalar<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public void Dispose()
    {
        lock (_hosts) foreach (var host in _hosts) host.Dispose();
        using (var pooled = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(pooled);
        Server.Dispose();
    }
}
