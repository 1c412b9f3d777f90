using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Npgsql;

namespace ComplianceEvents.Benchmarks.Measuring;

/// <summary>What explains a figure, per operation (issue 8: round trips, CPU of both sides, WAL, events per transaction).</summary>
public sealed record Cost(
    double NpgsqlCommandsPerOp, double WriteTransactionsPerOp, double BenchCpuMsPerOp, double PostgresCpuMsPerOp,
    double WalBytesPerEvent, double EventsPerTransaction)
{
    /// <summary>
    /// Npgsql traces every command and batch (each one round trip) but not the COMMIT of an explicit
    /// transaction, which is one more round trip per write transaction on the paths that use one.
    /// </summary>
    public double RoundTripsPerOp(bool explicitCommits) => NpgsqlCommandsPerOp + (explicitCommits ? WriteTransactionsPerOp : 0);
}

/// <summary>
/// Counters read before and after a measured run: Npgsql commands of this process (an ActivityListener on
/// Npgsql's ActivitySource), CPU of this process and of every PostgreSQL process of the cluster (/proc),
/// the WAL position and the next transaction id (write transactions are the ones that take an xid).
/// </summary>
public sealed class Probe : IDisposable
{
    private static long _npgsqlCommands;
    private static System.Collections.Concurrent.ConcurrentQueue<string>? _capture;
    private readonly ActivityListener _listener;
    private readonly NpgsqlDataSource _admin;
    private int? _postmasterPid;

    public Probe(string adminConnectionString)
    {
        _admin = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(adminConnectionString) { Pooling = true, MaxPoolSize = 2 }.ConnectionString);
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) =>
                _capture is null ? ActivitySamplingResult.PropagationData : ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _ => Interlocked.Increment(ref _npgsqlCommands),
            ActivityStopped = a => _capture?.Enqueue(Statement(a)),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The SQL of every Npgsql command and batch (each one round trip) the action caused, in order.</summary>
    public static async Task<IReadOnlyList<string>> Capture(Func<Task> action)
    {
        _capture = new System.Collections.Concurrent.ConcurrentQueue<string>();
        try
        {
            await action();
            return [.. _capture];
        }
        finally
        {
            _capture = null;
        }
    }

    private static string Statement(Activity a)
    {
        var text = (a.GetTagItem("db.query.text") ?? a.GetTagItem("db.statement"))?.ToString() ?? a.DisplayName;
        text = System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();
        return text.Length > 160 ? text[..157] + "..." : text;
    }

    public sealed record Reading(long NpgsqlCommands, TimeSpan BenchCpu, double PostgresCpuSeconds, string WalLsn, long NextXid, DateTime At);

    public async Task<Reading> Read()
    {
        // The probe's own queries run before the command counter is read at the start, and after it is read at the end.
        await using var cmd = _admin.CreateCommand("select pg_current_wal_lsn()::text, pg_snapshot_xmax(pg_current_snapshot())::text::bigint, pg_backend_pid()");
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        var lsn = reader.GetString(0);
        var xid = reader.GetInt64(1);
        _postmasterPid ??= ParentOf(reader.GetInt32(2));
        var commands = Interlocked.Read(ref _npgsqlCommands);
        return new Reading(commands, Process.GetCurrentProcess().TotalProcessorTime, PostgresCpuSeconds(), lsn, xid, DateTime.UtcNow);
    }

    public async Task<Cost> Explain(Reading before, int operations, long events)
    {
        var commands = Interlocked.Read(ref _npgsqlCommands) - before.NpgsqlCommands;
        var benchCpu = Process.GetCurrentProcess().TotalProcessorTime - before.BenchCpu;
        var pgCpu = PostgresCpuSeconds() - before.PostgresCpuSeconds;
        await using var cmd = _admin.CreateCommand("select pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint, pg_snapshot_xmax(pg_current_snapshot())::text::bigint");
        cmd.Parameters.AddWithValue(before.WalLsn);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        var wal = reader.GetInt64(0);
        var writeTx = Math.Max(0, reader.GetInt64(1) - before.NextXid);
        double Per(double x, double n) => n <= 0 ? 0 : x / n;
        return new Cost(Per(commands, operations), Per(writeTx, operations), Per(benchCpu.TotalMilliseconds, operations),
            Per(pgCpu * 1000, operations), Per(wal, events), Per(events, writeTx));
    }

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long SysConf(int name);

    private static readonly double ClockTicks = TryClockTicks();

    private static double TryClockTicks()
    {
        try { return SysConf(2) is > 0 and var t ? t : 100; }   // _SC_CLK_TCK
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return 100; }
    }

    /// <summary>Fields of /proc/pid/stat after the command name: state is index 0, ppid 1, utime 11, stime 12, cutime 13, cstime 14.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static int? ParentOf(int pid) => Stat(pid) is { } f ? int.Parse(f[1], CultureInfo.InvariantCulture) : null;

    /// <summary>The postmaster's own CPU plus that of its reaped children (ended backends), plus every live child's.</summary>
    private double PostgresCpuSeconds()
    {
        if (_postmasterPid is not { } pm || Stat(pm) is not { } master) return 0;
        double ticks = Ticks(master, 11) + Ticks(master, 12) + Ticks(master, 13) + Ticks(master, 14);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == pm) continue;
            if (Stat(pid) is { } f && f[1] == pm.ToString(CultureInfo.InvariantCulture)) ticks += Ticks(f, 11) + Ticks(f, 12);
        }
        return ticks / ClockTicks;
    }

    private static double Ticks(string[] fields, int i) => double.Parse(fields[i], CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _listener.Dispose();
        _admin.Dispose();
    }
}
