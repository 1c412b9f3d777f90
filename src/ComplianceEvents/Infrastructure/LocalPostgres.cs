using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// A PostgreSQL cluster started from the installed server binaries (DESIGN 2.3: PostgreSQL is the
/// only server, and nothing may depend on a server started by hand). Used by the host's embedded
/// default (<c>.data/pg</c>, kept between runs) and by the test fixture (a throwaway temp folder).
/// </summary>
public sealed class LocalPostgres : IDisposable
{
    private const string Superuser = "postgres";
    private readonly bool _removeOnDispose;
    private bool _disposed;

    private LocalPostgres(string dataDirectory, string binDirectory, int port, bool startedHere, bool removeOnDispose)
    {
        DataDirectory = dataDirectory;
        BinDirectory = binDirectory;
        Port = port;
        StartedHere = startedHere;
        _removeOnDispose = removeOnDispose;
    }

    public string DataDirectory { get; }
    public string BinDirectory { get; }
    public int Port { get; }

    /// <summary>True when this process started the cluster (and so stops it); false when it reused a running one.</summary>
    public bool StartedHere { get; }

    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Username = Superuser, Database = database,
            Pooling = true, MaxPoolSize = 100,
        }.ConnectionString;

    /// <summary>Starts (or reuses, when already running) a persistent cluster in <paramref name="dataDirectory"/>.</summary>
    public static LocalPostgres StartOrReuse(string dataDirectory)
    {
        dataDirectory = Path.GetFullPath(dataDirectory);
        var bin = FindBinaries();
        if (TryReadRunningPort(dataDirectory) is { } runningPort && CanConnect(runningPort))
            return new LocalPostgres(dataDirectory, bin, runningPort, startedHere: false, removeOnDispose: false);
        return Start(dataDirectory, bin, removeOnDispose: false);
    }

    /// <summary>Starts a throwaway cluster in a new temp folder, removed on dispose.</summary>
    public static LocalPostgres StartTemporary()
    {
        var bin = FindBinaries();
        var dir = Path.Combine(Path.GetTempPath(), "compliance-pg-" + Guid.NewGuid().ToString("N")[..12]);
        return Start(dir, bin, removeOnDispose: true);
    }

    private static LocalPostgres Start(string dataDirectory, string bin, bool removeOnDispose)
    {
        Directory.CreateDirectory(dataDirectory);
        GiveToServerUser(dataDirectory);
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
            Run(bin, "initdb", ["-D", dataDirectory, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-instructions"]);

        // A stale postmaster.pid (after a crash or kill -9) would make pg_ctl refuse to start.
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (File.Exists(pidFile) && !PostmasterAlive(pidFile)) File.Delete(pidFile);

        var port = FreePort();
        var log = Path.Combine(dataDirectory, "server.log");
        // Unix sockets off: the default socket directory (/var/run/postgresql) is not writable for every user, and all clients use TCP.
        Run(bin, "pg_ctl", ["-D", dataDirectory, "-l", log, "-w", "-t", "60", "-o",
            $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", "start"]);
        var cluster = new LocalPostgres(dataDirectory, bin, port, startedHere: true, removeOnDispose);
        cluster.WaitUntilAccepting(TimeSpan.FromSeconds(30));
        return cluster;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (StartedHere)
        {
            try { Run(BinDirectory, "pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"]); }
            catch (InvalidOperationException) { /* already stopped (e.g. Ctrl+C reached the server first) */ }
        }
        if (_removeOnDispose)
        {
            try { Directory.Delete(DataDirectory, recursive: true); }
            catch (IOException) { /* best effort: temp folder */ }
        }
    }

    /// <summary>Finds initdb/pg_ctl: $PG_BINDIR, pg_config --bindir, /usr/lib/postgresql/*/bin (newest first), PATH.</summary>
    public static string FindBinaries()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("PG_BINDIR") is { Length: > 0 } fromEnv) candidates.Add(fromEnv);
        if (TryCapture("pg_config", "--bindir") is { } fromPgConfig) candidates.Add(fromPgConfig);
        if (Directory.Exists("/usr/lib/postgresql"))
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));

        var found = candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        return found ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found in $PG_BINDIR, `pg_config --bindir`, " +
            "/usr/lib/postgresql/*/bin or PATH. Install them with: sudo apt-get install -y postgresql " +
            "(or set ConnectionStrings__Marten to an existing server).");
    }

    private void WaitUntilAccepting(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!CanConnect(Port))
        {
            if (DateTime.UtcNow > until)
                throw new InvalidOperationException($"PostgreSQL in {DataDirectory} did not accept connections on port {Port} within {timeout.TotalSeconds}s; see {DataDirectory}/server.log.");
            Thread.Sleep(100);
        }
    }

    private static bool CanConnect(int port)
    {
        try
        {
            using var conn = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username={Superuser};Database=postgres;Pooling=false;Timeout=3");
            conn.Open();
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>postmaster.pid: line 1 pid, line 4 port.</summary>
    private static int? TryReadRunningPort(string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile) || !PostmasterAlive(pidFile)) return null;
        var lines = File.ReadAllLines(pidFile);
        return lines.Length > 3 && int.TryParse(lines[3].Trim(), out var port) ? port : null;
    }

    private static bool PostmasterAlive(string pidFile)
    {
        var first = File.ReadLines(pidFile).FirstOrDefault();
        return int.TryParse(first?.Trim(), out var pid) && Directory.Exists($"/proc/{pid}");
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool RunningAsRoot => Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root";

    /// <summary>PostgreSQL refuses to run as root: the cluster then belongs to the postgres user.</summary>
    private static void GiveToServerUser(string directory)
    {
        if (!RunningAsRoot) return;
        RunProcess("chown", ["-R", $"{Superuser}:", directory]);
        RunProcess("chmod", ["700", directory]);
    }

    private static void Run(string bin, string tool, IReadOnlyList<string> args)
    {
        var exe = Path.Combine(bin, tool);
        if (RunningAsRoot) RunProcess("runuser", ["-u", Superuser, "--", exe, .. args]);
        else RunProcess(exe, args);
    }

    private static void RunProcess(string file, IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The server must not inherit this process's working directory permissions problems (root-owned cwd).
        psi.WorkingDirectory = "/";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}{stdout.Result}");
    }

    private static string? TryCapture(string file, string arg)
    {
        try
        {
            var psi = new ProcessStartInfo(file, arg) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(psi);
            if (p is null) return null;
            var output = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
