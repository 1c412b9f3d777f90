using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// A PostgreSQL cluster started from the installed server binaries (DESIGN 2.3: PostgreSQL is the
/// only server, and nothing may depend on a server started by hand). Used by the host's embedded
/// default (<c>.data/pg</c>, kept between runs) and by the test fixture (a throwaway temp folder).
/// Every cause it can name (no binaries, a foreign directory, a port in use, a full disk) is an
/// <see cref="EmbeddedPostgresException"/> with a one-line message.
/// </summary>
public sealed class LocalPostgres : IDisposable
{
    private const string Superuser = ClusterPlacement.ServerUser;
    private const int StartAttempts = 3;
    private readonly bool _removeOnDispose;
    private int _disposed;

    private LocalPostgres(string dataDirectory, string binDirectory, int port, bool startedHere, bool owned, bool removeOnDispose)
    {
        DataDirectory = dataDirectory;
        BinDirectory = binDirectory;
        Port = port;
        StartedHere = startedHere;
        Owned = owned;
        _removeOnDispose = removeOnDispose;
    }

    /// <summary>Where the cluster's files are: the requested directory, or where the postgres user can reach (<see
    /// cref="ClusterPlacement"/>).</summary>
    public string DataDirectory { get; }
    public string BinDirectory { get; }
    public int Port { get; }

    /// <summary>True when this process started the cluster; false when it reused a running one.</summary>
    public bool StartedHere { get; }

    /// <summary>True when this process stops the cluster on dispose: it started it, or took it over (<see
    /// cref="ClusterOwnership"/>).</summary>
    public bool Owned { get; }

    /// <summary>Who owned the running cluster this process found (null when it started it, or nobody was recorded).</summary>
    public ClusterOwner? FoundOwner { get; private init; }

    /// <summary>The embedded cluster's authentication (initdb --auth=trust): loopback only, no password.</summary>
    public const string Authentication = "trust authentication on 127.0.0.1, no password";

    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Username = Superuser, Database = database,
            Pooling = true, MaxPoolSize = 100,
        }.ConnectionString;

    /// <summary>Starts (or reuses, when already running) a persistent cluster for <paramref name="dataDirectory"/>, on its
    /// configured or remembered port (<see cref="ClusterPort"/>), or a free one at its first start.</summary>
    /// <param name="server">A server takes ownership from a live CLI command; a command never from a live owner.</param>
    /// <param name="choosePort">Picks the port of each first-start attempt (tests occupy one); a free loopback port by
    /// default.</param>
    public static LocalPostgres StartOrReuse(string dataDirectory, int? configuredPort = null, bool server = false,
        Func<int>? choosePort = null)
    {
        var directory = ClusterPlacement.For(Path.GetFullPath(dataDirectory));
        var version = ClusterVersion(directory);
        var bin = FindBinaries(version);
        RefuseForeign(directory);
        ClusterPlacement.CreateDirectory(Path.GetDirectoryName(directory) ?? "/");
        using var exclusive = ClusterOwnership.Lock(directory);
        if (TryReadRunningPort(directory) is { } runningPort && CanConnect(runningPort))
        {
            if (configuredPort is { } wanted && wanted != runningPort)
                throw new EmbeddedPostgresException($"the embedded PostgreSQL in {directory} already runs on port {runningPort}, not " +
                    $"{wanted} ({ClusterPort.Setting}): stop it first (cluster stop) or set " +
                    $"{ClusterPort.EnvironmentVariable}={runningPort}");
            ClusterPort.Remember(directory, runningPort);
            var owner = ClusterOwnership.Read(directory);
            var takeOver = owner is not { IsAlive: true } || (server && !owner.Server);
            if (takeOver) ClusterOwnership.Write(directory, ClusterOwnership.Me(server));
            return new LocalPostgres(directory, bin, runningPort, startedHere: false, owned: takeOver, removeOnDispose: false)
                { FoundOwner = owner };
        }
        var fixedPort = configuredPort ?? ClusterPort.Remembered(directory);
        var cluster = fixedPort is { } port
            ? Start(directory, bin, removeOnDispose: false, () => port, ClusterPort.Source(directory, configuredPort is not null))
            : Start(directory, bin, removeOnDispose: false, choosePort ?? FreePort, fixedPortSource: null);
        ClusterPort.Remember(directory, cluster.Port);
        ClusterOwnership.Write(directory, ClusterOwnership.Me(server));
        return cluster;
    }

    /// <summary>
    /// Checked before anything is given to the postgres user or written beside the folder (the lock): a folder of someone
    /// else's files stays as it was, and nothing appears next to it.
    /// </summary>
    private static void RefuseForeign(string dataDirectory)
    {
        if (Directory.Exists(dataDirectory) && !File.Exists(Path.Combine(dataDirectory, "PG_VERSION"))
            && Directory.EnumerateFileSystemEntries(dataDirectory).Any())
            throw new EmbeddedPostgresException(
                $"{dataDirectory} is not empty and holds no PostgreSQL cluster: move its files away or set Embedded__DataDirectory to " +
                    $"another folder");
    }

    /// <summary>Starts a throwaway cluster in a new temp folder, removed on dispose.</summary>
    public static LocalPostgres StartTemporary()
    {
        var bin = FindBinaries(null);
        var dir = ClusterPlacement.For(Path.Combine(Path.GetTempPath(), "compliance-pg-" + Guid.NewGuid().ToString("N")[..12]));
        return Start(dir, bin, removeOnDispose: true, FreePort, fixedPortSource: null);
    }

    /// <param name="fixedPortSource">Where a port that must not change comes from (one attempt, refused by name when taken);
    /// null for a free port chosen now, retried when another process binds it first.</param>
    private static LocalPostgres Start(string dataDirectory, string bin, bool removeOnDispose, Func<int> choosePort,
        string? fixedPortSource)
    {
        ClusterPlacement.CreateDirectory(dataDirectory);
        RefuseForeign(dataDirectory);
        var fresh = !File.Exists(Path.Combine(dataDirectory, "PG_VERSION"));
        GiveToServerUser(dataDirectory);
        if (fresh)
        {
            Run(bin, "initdb", ["-D", dataDirectory, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-instructions"],
                dataDirectory);
        }

        // A stale postmaster.pid (after a crash or kill -9) would make pg_ctl refuse to start.
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (File.Exists(pidFile) && !PostmasterAlive(pidFile)) File.Delete(pidFile);

        var log = Path.Combine(dataDirectory, "server.log");
        for (var attempt = 1; ; attempt++)
        {
            var port = choosePort();
            var started = PgCtlStart(bin, dataDirectory, log, port);
            if (started.ExitCode == 0)
            {
                var cluster = new LocalPostgres(dataDirectory, bin, port, startedHere: true, owned: true, removeOnDispose);
                cluster.WaitUntilAccepting(TimeSpan.FromSeconds(30));
                return cluster;
            }
            var why = Explain(started, dataDirectory, LastLines(log));
            var inUse = why.Contains("Address already in use", StringComparison.Ordinal);
            if (inUse && fixedPortSource is not null)
                throw new EmbeddedPostgresException($"PostgreSQL could not start for {dataDirectory}: port {port} on 127.0.0.1 " +
                    $"({fixedPortSource}) is taken by another process: free it, or set {ClusterPort.EnvironmentVariable} to another port");
            // The port was free when chosen; another process may take it before the server binds (or held it all along).
            if (!inUse || attempt == StartAttempts)
                throw new EmbeddedPostgresException(inUse
                    ? $"PostgreSQL could not start for {dataDirectory}: port {port} on 127.0.0.1 is in use (tried {StartAttempts} ports)"
                    : $"PostgreSQL could not start for {dataDirectory}: {why}");
        }
    }

    /// <summary>Stops the cluster when this process owns it (and still does: a server may have taken it over since).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1 || !Owned) return;
        if (_removeOnDispose)
        {
            Stop(BinDirectory, DataDirectory);
            try { Directory.Delete(DataDirectory, recursive: true); }
            catch (IOException) { /* best effort: temp folder */ }
            return;
        }
        using var exclusive = ClusterOwnership.Lock(DataDirectory);
        if (ClusterOwnership.Read(DataDirectory) is not { IsMe: true }) return;
        Stop(BinDirectory, DataDirectory);
        ClusterOwnership.Clear(DataDirectory);
        // The port is kept: a cluster started again in this process would otherwise be handed the stopped one's pooled connections.
        using var pooled = new NpgsqlConnection(ConnectionString());
        NpgsqlConnection.ClearPool(pooled);
    }

    /// <summary>An outage, for fault tests and drills: the server stops at once (<c>-m immediate</c>, as a crash would), on
    /// this cluster's own data directory; <see cref="Resume"/> starts it again on the same port.</summary>
    internal void Crash() => RunTool(BinDirectory, "pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);

    internal void Resume()
    {
        var log = Path.Combine(DataDirectory, "server.log");
        var started = PgCtlStart(BinDirectory, DataDirectory, log, Port);
        if (started.ExitCode != 0) throw new EmbeddedPostgresException($"PostgreSQL did not start again for {DataDirectory}: " +
            Explain(started, DataDirectory, LastLines(log)));
        WaitUntilAccepting(TimeSpan.FromSeconds(30));
    }

    /// <summary>A hang, for fault tests and drills: this cluster's postmaster and its backends are stopped (SIGSTOP) by their
    /// ids, so connections are accepted by the kernel and statements sent, but nothing answers; <see cref="Thaw"/> resumes
    /// them (SIGCONT).</summary>
    internal void Freeze() => Signal("-STOP");

    internal void Thaw() => Signal("-CONT");

    private void Signal(string signal)
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First().Trim());
        var family = new List<int> { postmaster };
        foreach (var stat in Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "stat")))
        {
            string line;
            try { line = File.ReadAllText(stat); }
            catch (IOException) { continue; } // the process ended while listed
            catch (UnauthorizedAccessException) { continue; }
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
            var fields = line[(line.LastIndexOf(')') + 2)..].Split(' ');
            if (int.TryParse(fields[1], out var parent) && parent == postmaster) family.Add(int.Parse(line[..line.IndexOf(' ')]));
        }
        using var kill = System.Diagnostics.Process.Start("kill", [signal, .. family.Select(p => p.ToString())]);
        kill.WaitForExit();
    }

    /// <summary>pg_ctl start on one loopback port, waiting until it answers (or 60 s).</summary>
    private static Exec PgCtlStart(string bin, string dataDirectory, string log, int port) =>
        // Unix sockets off: the default socket directory (/var/run/postgresql) is not writable for every user, and all clients use TCP.
        RunTool(bin, "pg_ctl", ["-D", dataDirectory, "-l", log, "-w", "-t", "60", "-o",
            $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", "start"]);

    /// <summary>pg_ctl stop, fast mode: fails only when already stopped (Ctrl+C reached the server first).</summary>
    private static Exec Stop(string bin, string dataDirectory) => RunTool(bin, "pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "stop"]);

    /// <summary>What <c>cluster status</c> and <c>cluster stop</c> see: the directory, the running port, the owner.</summary>
    public static ClusterState Inspect(string dataDirectory)
    {
        var directory = ClusterPlacement.Find(Path.GetFullPath(dataDirectory));
        var running = File.Exists(Path.Combine(directory, "PG_VERSION")) ? TryReadRunningPort(directory) : null;
        return new ClusterState(directory, running, ClusterPort.Remembered(directory), ClusterOwnership.Read(directory));
    }

    /// <summary>Stops a running embedded cluster for <c>cluster stop</c>; the caller has decided its owner may lose it.</summary>
    /// <returns>false when it was not running (any more)</returns>
    public static bool StopRunning(string directory, Func<ClusterOwner?, bool> mayStop)
    {
        var bin = FindBinaries(ClusterVersion(directory));
        using var exclusive = ClusterOwnership.Lock(directory);
        if (TryReadRunningPort(directory) is null) return false;
        if (!mayStop(ClusterOwnership.Read(directory))) return true;
        if (Stop(bin, directory) is { ExitCode: not 0 } failed && TryReadRunningPort(directory) is not null)
            throw new EmbeddedPostgresException($"pg_ctl stop failed for {directory}: {Explain(failed, directory, "")}");
        ClusterOwnership.Clear(directory);
        return true;
    }

    /// <summary>
    /// Finds initdb/pg_ctl: $PG_BINDIR, pg_config --bindir, /usr/lib/postgresql/*/bin (newest first), PATH. For an
    /// existing cluster, the binaries of its major version, which are the only ones that can run it.
    /// </summary>
    public static string FindBinaries(int? majorVersion = null)
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("PG_BINDIR") is { Length: > 0 } fromEnv) candidates.Add(fromEnv);
        if (TryCapture("pg_config", "--bindir") is { } fromPgConfig) candidates.Add(fromPgConfig);
        if (Directory.Exists("/usr/lib/postgresql"))
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));

        var found = candidates.Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d,
            "pg_ctl"))).Distinct().ToList();
        if (found.Count == 0)
            throw new EmbeddedPostgresException("PostgreSQL server binaries (initdb, pg_ctl) are not installed: sudo apt-get install -y " +
                "postgresql " +
                "(or set PG_BINDIR, or ConnectionStrings__Marten to an existing server)");
        if (majorVersion is not { } wanted) return found[0];
        return found.FirstOrDefault(d => BinariesVersion(d) == wanted) ?? throw new EmbeddedPostgresException(
            $"the cluster needs PostgreSQL {wanted} but only {string.Join(", ", found.Select(d => $"{BinariesVersion(d)} ({d})"))} is " +
                $"installed: " +
            $"sudo apt-get install -y postgresql-{wanted}, or move the cluster away");
    }

    /// <summary>The major version in a cluster's PG_VERSION, null when there is no cluster yet.</summary>
    private static int? ClusterVersion(string dataDirectory)
    {
        var file = Path.Combine(dataDirectory, "PG_VERSION");
        if (!File.Exists(file)) return null;
        var text = File.ReadAllText(file).Trim();
        return int.TryParse(text.Split('.')[0], out var v) ? v
            : throw new EmbeddedPostgresException($"{file} reads \"{text}\", not a PostgreSQL version: {dataDirectory} is not a cluster " +
                $"this product can run");
    }

    /// <summary>"pg_ctl (PostgreSQL) 15.14" -> 15.</summary>
    private static int? BinariesVersion(string bin) =>
        TryCapture(Path.Combine(bin, "pg_ctl"), "--version")?.Split(' ').LastOrDefault()?.Split('.')[0] is { } major && int.TryParse(major,
            out var v) ? v : null;

    private void WaitUntilAccepting(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!CanConnect(Port))
        {
            if (DateTime.UtcNow > until)
                throw new EmbeddedPostgresException($"PostgreSQL in {DataDirectory} did not accept connections on port {Port} within " +
                    $"{timeout.TotalSeconds}s; see {DataDirectory}/server.log");
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

    /// <summary>PostgreSQL refuses to run as root: the cluster then belongs to the postgres user.</summary>
    private static void GiveToServerUser(string directory)
    {
        if (!ClusterPlacement.RunningAsRoot) return;
        foreach (var (file, args) in new[] { ("chown", new[] { "-R", $"{Superuser}:", directory }), ("chmod", ["700", directory]) })
            if (Exec(file, args) is { ExitCode: not 0 } failed)
                throw new EmbeddedPostgresException($"cannot give {directory} to the {Superuser} user: {FirstLine(failed.Output)}");
    }

    /// <summary>A server tool, as the postgres user when this process is root (PostgreSQL refuses to run as root).</summary>
    private static Exec RunTool(string bin, string tool, IReadOnlyList<string> args)
    {
        var exe = Path.Combine(bin, tool);
        return ClusterPlacement.RunningAsRoot ? Exec("runuser", ["-u", Superuser, "--", exe, .. args]) : Exec(exe, args);
    }

    private static void Run(string bin, string tool, IReadOnlyList<string> args, string dataDirectory)
    {
        if (RunTool(bin, tool, args) is { ExitCode: not 0 } failed)
            throw new EmbeddedPostgresException($"{tool} failed for {dataDirectory}: {Explain(failed, dataDirectory, "")}");
    }

    /// <summary>Runs a process to its end; output is stderr then stdout.</summary>
    internal static Exec Exec(string file, IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The server must not inherit a working directory its user cannot enter (a root-owned, 0700 clone).
        psi.WorkingDirectory = "/";
        try
        {
            using var p = Process.Start(psi) ?? throw new EmbeddedPostgresException($"could not start {file}");
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            return new Exec(p.ExitCode, stderr.Result + stdout.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new EmbeddedPostgresException($"could not run {file}: {e.Message}");
        }
    }

    /// <summary>The one line that names why a server tool failed: a full disk first, else the first error line.</summary>
    private static string Explain(Exec failed, string dataDirectory, string logTail)
    {
        var text = failed.Output + "\n" + logTail;
        if (text.Contains("No space left on device", StringComparison.Ordinal))
            return $"no space left on the device holding {dataDirectory}";
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.FirstOrDefault(l => l.Contains("Address already in use", StringComparison.Ordinal))
            ?? lines.FirstOrDefault(l => l.Contains("FATAL", StringComparison.Ordinal) || l.Contains("error",
                StringComparison.OrdinalIgnoreCase))
            ?? FirstLine(text);
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "(no output)";

    private static string LastLines(string log)
    {
        try { return File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(20)) : ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    private static string? TryCapture(string file, string arg)
    {
        try
        {
            var psi = new ProcessStartInfo(file, arg) { RedirectStandardOutput = true, RedirectStandardError = true,
                UseShellExecute = false };
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

/// <summary>An embedded cluster as found on disk: <paramref name="RunningPort"/> null when it is not running.</summary>
public sealed record ClusterState(string DataDirectory, int? RunningPort, int? RememberedPort, ClusterOwner? Owner);

/// <summary>A finished process: its exit code and what it printed.</summary>
internal readonly record struct Exec(int ExitCode, string Output);
