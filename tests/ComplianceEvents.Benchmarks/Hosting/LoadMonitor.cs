using System.Globalization;

namespace ComplianceEvents.Benchmarks.Hosting;

/// <summary>What else ran on the machine during the bench: CPU seconds of other dotnet and postgres processes.</summary>
public sealed record OtherLoad(double CpuSeconds, double WallSeconds, int PeakProcesses, IReadOnlyList<string> Busiest)
{
    /// <summary>Other processes used more than 5% of one core on average: the figures were measured on a shared machine.</summary>
    public bool Shared => WallSeconds > 0 && CpuSeconds / WallSeconds > 0.05;
}

/// <summary>
/// Samples /proc every two seconds for dotnet and postgres processes that are not this bench (nor its
/// ancestors: dotnet run, a test host) nor the bench's own cluster, and sums the CPU they used meanwhile.
/// </summary>
public sealed class LoadMonitor : IAsyncDisposable
{
    private readonly Func<int?> _postmaster;
    private readonly HashSet<int> _excluded = [Environment.ProcessId];
    private readonly Dictionary<int, (double Cpu, string Cmd)> _last = [];
    private readonly Dictionary<string, double> _byCommand = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly DateTime _started = DateTime.UtcNow;
    private double _cpu;
    private int _peak;

    public LoadMonitor(Func<int?> postmaster)
    {
        _postmaster = postmaster;
        for (var p = Stat(Environment.ProcessId)?.Parent; p is > 1 && _excluded.Add(p.Value); p = Stat(p.Value)?.Parent) { }
        Sample(first: true);
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try { await Task.Delay(2000, _stop.Token); } catch (OperationCanceledException) { break; }
                Sample(first: false);
            }
        });
    }

    private sealed record ProcStat(int Parent, double CpuSeconds);

    private static ProcStat? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var f = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return new ProcStat(int.Parse(f[1], CultureInfo.InvariantCulture),
                (double.Parse(f[11], CultureInfo.InvariantCulture) + double.Parse(f[12], CultureInfo.InvariantCulture)) / 100.0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { return null; }
    }

    private void Sample(bool first)
    {
        if (!Directory.Exists("/proc")) return;
        var postmaster = _postmaster();
        var seen = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || _excluded.Contains(pid)) continue;
            string cmd;
            try { cmd = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            var isDotnet = cmd.Contains("dotnet", StringComparison.Ordinal);
            var isPostgres = cmd.StartsWith("postgres", StringComparison.Ordinal) || cmd.Contains("bin/postgres", StringComparison.Ordinal);
            if (!isDotnet && !isPostgres) continue;
            if (Stat(pid) is not { } stat) continue;
            if (postmaster is { } pm && (pid == pm || stat.Parent == pm)) continue;
            seen++;
            var previous = _last.TryGetValue(pid, out var p) ? p.Cpu : first ? stat.CpuSeconds : 0;
            var used = Math.Max(0, stat.CpuSeconds - previous);
            _cpu += used;
            var label = cmd.Length > 100 ? cmd[..100] + "..." : cmd;
            _byCommand[label] = _byCommand.GetValueOrDefault(label) + used;
            _last[pid] = (stat.CpuSeconds, label);
        }
        _peak = Math.Max(_peak, seen);
    }

    public OtherLoad Current() =>
        new(Math.Round(_cpu, 1), Math.Round((DateTime.UtcNow - _started).TotalSeconds, 1), _peak,
            _byCommand.Where(kv => kv.Value >= 1).OrderByDescending(kv => kv.Value).Take(5).Select(kv => $"{kv.Value:0} CPU-s: {kv.Key}").ToList());

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
