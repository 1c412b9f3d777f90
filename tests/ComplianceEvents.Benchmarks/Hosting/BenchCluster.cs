using System.Globalization;
using ComplianceEvents.Infrastructure;
using Npgsql;

namespace ComplianceEvents.Benchmarks.Hosting;

/// <summary>The machine and the server settings printed beside the figures.</summary>
public sealed record Machine(int Cores, double MemoryGiB, string CpuModel, string Os, string Dotnet, string PostgresVersion,
    IReadOnlyDictionary<string, string> Settings);

/// <summary>
/// A throwaway PostgreSQL cluster started exactly as the integration tests start theirs
/// (<see cref="LocalPostgres.StartTemporary"/>: initdb defaults, fsync and synchronous_commit on), one
/// database per host the bench starts.
/// </summary>
public sealed class BenchCluster : IDisposable
{
    private readonly LocalPostgres? _cluster;

    private BenchCluster(LocalPostgres? cluster, string serverConnectionString)
    {
        _cluster = cluster;
        ServerConnectionString = serverConnectionString;
    }

    public string ServerConnectionString { get; }

    public static readonly string[] SettingNames =
    [
        "server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_level", "shared_buffers", "work_mem",
        "max_wal_size", "checkpoint_timeout", "effective_cache_size", "max_connections", "wal_sync_method", "lc_collate",
    ];

    /// <summary>Starts a cluster, or uses the server COMPLIANCE_BENCH_DB names (the bench then creates and drops its own databases).</summary>
    public static BenchCluster Start()
    {
        var external = Environment.GetEnvironmentVariable("COMPLIANCE_BENCH_DB");
        if (!string.IsNullOrWhiteSpace(external)) return new BenchCluster(null, external);
        var cluster = LocalPostgres.StartTemporary();
        // Ctrl+C skips the using blocks: stop and remove the throwaway cluster anyway (Dispose is idempotent).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Dispose();
        return new BenchCluster(cluster, cluster.ConnectionString());
    }

    public async Task<string> CreateDatabase(string name)
    {
        await using (var conn = new NpgsqlConnection(ServerConnectionString))
        {
            await conn.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database if exists {name} with (force)", conn);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"create database {name}", conn);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name, MaxPoolSize = 100 }.ConnectionString;
    }

    public async Task<Machine> Describe()
    {
        var settings = new Dictionary<string, string>();
        await using (var conn = new NpgsqlConnection(ServerConnectionString))
        {
            await conn.OpenAsync();
            foreach (var name in SettingNames)
            {
                await using var cmd = new NpgsqlCommand($"show {name}", conn);
                settings[name] = (string)(await cmd.ExecuteScalarAsync())!;
            }
        }
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown";
        var memKb = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").Where(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
                .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).FirstOrDefault()
            : 0;
        return new Machine(Environment.ProcessorCount, Math.Round(memKb / 1024 / 1024, 1), cpu,
            System.Runtime.InteropServices.RuntimeInformation.OSDescription, Environment.Version.ToString(),
            settings["server_version"], settings);
    }

    /// <summary>The postmaster of the bench's own cluster, if it started one (its processes are not "other load").</summary>
    public int? PostmasterPid =>
        _cluster is not null && File.Exists(Path.Combine(_cluster.DataDirectory, "postmaster.pid"))
        && int.TryParse(File.ReadLines(Path.Combine(_cluster.DataDirectory, "postmaster.pid")).FirstOrDefault(), out var pm) ? pm : null;

    public void Dispose() => _cluster?.Dispose();
}
