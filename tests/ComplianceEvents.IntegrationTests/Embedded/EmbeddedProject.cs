using System.Net.Sockets;
using ComplianceEvents.Infrastructure;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Embedded;

/// <summary>
/// A project folder of a test's own, where the product's processes keep their embedded cluster (.data/pg). It sits in the
/// temp folder with its default permissions, so the postgres user reaches it and the cluster stays in it (ClusterPlacement).
/// </summary>
public sealed class EmbeddedProject : IDisposable
{
    public string Folder { get; } = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "compliance-endpoint-" +
        Guid.NewGuid().ToString("N")[..8])).FullName;

    public string DataDirectory => Path.Combine(Folder, ".data", "pg");

    public static bool CanConnect(int port)
    {
        try
        {
            using var conn = new NpgsqlConnection(
                $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;Timeout=3");
            conn.Open();
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Whatever a failed test left running is stopped; the folder and the lock beside the cluster go.</summary>
    public void Dispose()
    {
        if (LocalPostgres.Inspect(DataDirectory).RunningPort is not null) LocalPostgres.StopRunning(DataDirectory, _ => true);
        Directory.Delete(Folder, recursive: true);
    }
}
