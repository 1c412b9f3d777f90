using System.Diagnostics;
using System.Text.RegularExpressions;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.IntegrationTests.Embedded;

/// <summary>
/// The product's server (ComplianceEvents.dll, no command) as its own long-running process on a free HTTP port, started
/// in a working directory of the test's; ready once it printed what integrators connect to (HostConnection), which it
/// does after the host started. Ends with SIGTERM (a graceful shutdown) or SIGKILL (a crash).
/// </summary>
public sealed partial class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stderr = [];
    private readonly System.Text.StringBuilder _all = new();
    /// <summary>Set by the output handler when the server printed its queue line (the last line of its start-up).</summary>
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    /// <summary>What it printed on standard error, line by line (the embedded cluster's line, the connection lines).</summary>
    public IReadOnlyList<string> Errors
    {
        get { lock (_stderr) return [.. _stderr]; }
    }

    /// <summary>The port of the embedded cluster's line ("Embedded PostgreSQL ... on port N").</summary>
    public int EmbeddedPort => int.Parse(EmbeddedPortPattern().Match(Line("Embedded PostgreSQL")).Groups[1].Value);

    /// <summary>The connection string the server printed for integrators, exactly as printed.</summary>
    public string PrintedConnectionString => PrintedConnection().Match(Line(HostConnection.ConnectPrefix)).Groups[1].Value;

    public string Line(string startingWith) => Errors.FirstOrDefault(l => l.StartsWith(startingWith, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"no line starting with '{startingWith}' in:\n{Output}");

    public string Output
    {
        get { lock (_all) return _all.ToString(); }
    }

    public static async Task<ServerProcess> Start(string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true,
            RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ComplianceEvents.dll"));
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings__") || k.StartsWith("Auth__")
            || k.StartsWith("Embedded__") || k.StartsWith("Integration__")).ToList())
            psi.Environment.Remove(key);
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) psi.Environment[key] = value;

        var server = new ServerProcess(Process.Start(psi) ?? throw new InvalidOperationException("dotnet did not start"));
        server._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (server._stderr) server._stderr.Add(e.Data);
            lock (server._all) server._all.AppendLine(e.Data);
            if (e.Data.StartsWith(HostConnection.QueuesPrefix, StringComparison.Ordinal)) server._started.TrySetResult();
        };
        server._process.OutputDataReceived += (_, e) => { lock (server._all) server._all.AppendLine(e.Data); };
        server._process.BeginErrorReadLine();
        server._process.BeginOutputReadLine();

        // Started (the queue line), or exited first, or neither within 120 s.
        var exited = server._process.WaitForExitAsync();
        string why;
        try
        {
            var first = await Task.WhenAny(server._started.Task, exited).WaitAsync(TimeSpan.FromSeconds(120));
            if (first == server._started.Task) return server;
            why = $"exited with {server._process.ExitCode}";
        }
        catch (TimeoutException) { why = "did not start in 120 s"; }
        server.Dispose();
        throw new Xunit.Sdk.XunitException($"the server {why}:\n{server.Output}");
    }

    /// <summary>SIGTERM, as systemd or Ctrl+C ends it: the host shuts down and disposes what it owns.</summary>
    public async Task<int> Terminate()
    {
        using (var kill = Process.Start("kill", ["-TERM", Pid.ToString()])) await kill.WaitForExitAsync();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown, no disposal, the way a crash ends a process.</summary>
    public async Task Kill()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }

    [GeneratedRegex(@"on port (\d+)")]
    private static partial Regex EmbeddedPortPattern();

    [GeneratedRegex(@": (\S+) \(")]
    private static partial Regex PrintedConnection();
}
