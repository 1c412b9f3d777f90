using System.Diagnostics;
using System.Net;
using ComplianceEvents.Infrastructure.Auth;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>The product's own executable (ComplianceEvents.dll next to the tests) as a separate process on a free loopback port.</summary>
public sealed class HostProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _workDir;
    private readonly System.Text.StringBuilder _output = new();

    private HostProcess(Process process, string workDir, Uri baseAddress)
    {
        _process = process;
        _workDir = workDir;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Names the process's database connections, so the test can end them with it.</summary>
    public const string ApplicationName = "compliance-host-process";

    /// <param name="settings">More configuration, as environment variables (<c>Integration__Webhooks__RetryDelays</c>).</param>
    public static async Task<HostProcess> Start(string connectionString, string signingKey, string inbound, string outbound,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = Infrastructure.LocalPostgres.FreePort();
        var workDir = Directory.CreateTempSubdirectory("compliance-crash-").FullName;
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workDir, RedirectStandardOutput = true,
            RedirectStandardError = true };
        info.ArgumentList.Add(typeof(Program).Assembly.Location);
        info.Environment["ConnectionStrings__Marten"] =
            new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = ApplicationName }.ConnectionString;
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["Auth__SigningKey"] = signingKey;
        // Each process runs in a work folder of its own: the chain key is given, as production does, so a restart keeps it.
        info.Environment["Chain__Key"] = signingKey;
        info.Environment["Integration__Inbound__Queue"] = inbound;
        info.Environment["Integration__Outbound__Queues"] = outbound;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in settings ?? new Dictionary<string, string>()) info.Environment[name] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var product = new HostProcess(process, workDir, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => { lock (product._output) product._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (product._output) product._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var health = new HttpClient { BaseAddress = product.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await IntegrationHost.Eventually(() => product.Healthy(health), ok => ok, "the product process to be healthy",
                seconds: 90);
            return product;
        }
        catch (Xunit.Sdk.XunitException e)
        {
            var output = product.Output;
            product.Dispose(); // not left running after the test that started it
            throw new Xunit.Sdk.XunitException($"{e.Message}; last {product._lastHealth}:\n{output}");
        }
    }

    private string _lastHealth = "/health never answered";

    private async Task<bool> Healthy(HttpClient health)
    {
        if (_process.HasExited) throw new Xunit.Sdk.XunitException($"The product process exited with {_process.ExitCode}");
        try
        {
            using var answer = await health.GetAsync("/health");
            if (answer.StatusCode == HttpStatusCode.OK) return true;
            // Why it is not healthy yet goes into the failure's message, should it never be.
            _lastHealth = $"/health {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}";
            return false;
        }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) { return false; }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>What the process wrote on standard output and error so far (for a failure's message).</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public HttpClient Client(string signingKey, string user, string[] roles)
    {
        var settings = AuthSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection([new("Auth:SigningKey", signingKey)]).Build());
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
            DevTokens.Mint(settings, user, roles));
        return client;
    }

    private bool _disposed;

    /// <summary>SIGKILL: no shutdown hook, no draining, the way a crash ends a process.</summary>
    public void Kill()
    {
        // The process first, at once (looking for its children reads /proc, which takes a while on a loaded machine; requests in
        // flight would finish meanwhile), then whatever it started.
        if (!_process.HasExited) _process.Kill();
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { /* exited meanwhile */ }
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        // Idempotent: a test that disposes a killed host and then fails to start the next must report that failure, not this.
        if (_disposed) return;
        _disposed = true;
        Kill();
        _process.Dispose();
        try { Directory.Delete(_workDir, recursive: true); } catch (IOException) { }
    }
}
