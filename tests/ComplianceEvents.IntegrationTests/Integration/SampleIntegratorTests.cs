using System.Diagnostics;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.WriteSide;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>
/// Issue 19 item 5: the client sample in samples/Integrator (its own project, its own packages, no reference to the
/// product) is built and run against the product's own process; the host is killed (SIGKILL) and started again while the
/// sample sends its 100 commands, and every command takes effect once, its outcome comes back to the sample's reply queue,
/// and its event reaches the sample once, in order.
/// </summary>
public sealed class SampleIntegratorTests(AppFixture app) : HostTest(app)
{
    private const int Commands = 100;

    [Fact]
    public async Task the_sample_gets_one_event_per_command_in_order_across_a_host_killed_and_restarted_in_the_middle()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var connectionString = CreateDatabase(App.ServerConnectionString, "compliance_sample_" + suffix);
        var (inbound, outbound) = ("sample-commands-" + suffix, "sample-events-" + suffix);
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using (var setup = App.Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting($"ConnectionStrings:{Persistence.ConnectionStringName}", connectionString);
            b.UseSetting("Integration:Inbound:Enabled", "false");
            b.UseSetting("Integration:Outbound:Queues", "sample-setup-" + suffix);
            b.UseSetting("Chain:Key", key); // the product process's key: one deployment, one chain key
        }))
        {
            var runner = setup.Services.GetRequiredService<CommandRunner>();
            await BuildWorld((command, user, roles) => runner.Send(command, new CommandContext(new Actor(user, roles)), default));
        }
        var sampleDll = await BuildSample();

        var host = await HostProcess.Start(connectionString, key, inbound, outbound);
        try
        {
            using var sample = SampleProcess.Start(sampleDll, new Dictionary<string, string>
            {
                ["Integrator__Connection"] = connectionString, ["Integrator__CommandsQueue"] = inbound,
                ["Integrator__EventsQueue"] = outbound, ["Integrator__RepliesQueue"] = "sample-replies-" + suffix,
                ["Integrator__Cycle"] = World.Cycle, ["Integrator__Commitment"] = World.C19,
                ["Integrator__Member"] = "CA", ["Integrator__Count"] = Commands.ToString(), ["Integrator__Prefix"] = "s" + suffix,
                ["Integrator__Window"] = "10", ["Integrator__TimeoutSeconds"] = "240",
            });
            // In the middle: a third of the events came back; with at most 10 commands outstanding, most are still to be sent.
            await Eventually(() => Task.FromResult(sample.Lines()), l => l.Count(x => x.StartsWith("event ")) >= Commands / 3,
                "the sample to receive a third of its events", seconds: 180);
            Assert.True(sample.Lines().Count(x => x.StartsWith("sent ")) < Commands, "the host restarts before the last command");
            host.Kill();
            host.Dispose();
            host = await HostProcess.Start(connectionString, key, inbound, outbound);

            var exit = await sample.Exit(TimeSpan.FromSeconds(300));
            var output = string.Join('\n', sample.Lines());
            Assert.True(exit == 0, $"the sample exited {exit}:\n{output}");
            var events = sample.Lines().Where(l => l.StartsWith("event EvidenceRecordedV1 ")).Select(l => l.Split(' '))
                .Select(f => (Sequence: long.Parse(f[2]), EvidenceId: f[3])).ToList();
            var ids = Enumerable.Range(1, Commands).Select(i => $"s{suffix}-{i}").ToList();
            // Each once, in the log's order, which is the order they were sent.
            Assert.True(ids.Order().SequenceEqual(events.Select(e => e.EvidenceId).Order()), $"events, each once:\n{output}");
            Assert.True(events.Select(e => e.Sequence).Order().SequenceEqual(events.Select(e => e.Sequence)), $"log order:\n{output}");
            Assert.True(ids.SequenceEqual(events.Select(e => e.EvidenceId)), $"sending order:\n{output}");
            // Each command answered, accepted; a second answer only for a command the killed host had applied but not yet
            // marked handled, recognisable as a repeat (replayed, the same version).
            var replies = sample.Lines().Where(l => l.StartsWith("reply ")).Select(l => l.Split(' '))
                .Select(f => (CommandId: f[1], Outcome: f[2], Replayed: bool.Parse(f[3]), Version: f[4])).ToList();
            Assert.True(ids.Order().SequenceEqual(replies.Select(r => r.CommandId).Distinct().Order()), $"a reply each:\n{output}");
            Assert.True(replies.All(r => r.Outcome == "accepted"), $"all accepted:\n{output}");
            Assert.True(replies.GroupBy(r => r.CommandId).Where(g => g.Count() > 1)
                .All(g => g.Skip(1).All(r => r.Replayed) && g.Select(r => r.Version).Distinct().Count() == 1),
                $"a second answer is a repeat:\n{output}");
        }
        finally { host.Dispose(); }

        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select count(*), count(distinct data->>'EvidenceId') from compliance.mt_events " +
            "where type = 'evidence_recorded' and data->>'EvidenceId' like @prefix", conn);
        cmd.Parameters.AddWithValue("prefix", $"s{suffix}-%");
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((Commands, Commands), ((int)reader.GetInt64(0), (int)reader.GetInt64(1)));
    }

    /// <summary>The envelope format is Wolverine's: the sample names the host's Wolverine version, and docs/dependencies.md both.</summary>
    [Fact]
    public void the_sample_uses_the_hosts_wolverine_version_and_the_dependency_list_names_its_packages()
    {
        var host = System.Xml.Linq.XDocument.Load(Repo.PathOf("Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        var sample = System.Xml.Linq.XDocument.Load(Repo.PathOf("samples", "Integrator", "Integrator.csproj"))
            .Descendants("PackageReference").ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        Assert.NotEmpty(sample);
        Assert.All(sample.Values, v => Assert.Equal(host["WolverineFx"], v));
        var dependencies = File.ReadAllText(Repo.PathOf("docs", "dependencies.md"));
        Assert.All(sample, p => Assert.Contains($"| {p.Key} | {p.Value} |", dependencies));
    }

    /// <summary>Builds samples/Integrator as an integrator would (its own project and packages) into a folder of this run.</summary>
    private static async Task<string> BuildSample()
    {
        var output = Directory.CreateTempSubdirectory("compliance-sample-").FullName;
        var psi = new ProcessStartInfo("dotnet", ["build", Repo.PathOf("samples", "Integrator", "Integrator.csproj"), "-o", output,
            "-nologo", "-v", "quiet"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var build = Process.Start(psi)!;
        var log = build.StandardOutput.ReadToEndAsync();
        var errors = build.StandardError.ReadToEndAsync();
        await build.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        Assert.True(build.ExitCode == 0, $"the sample does not build:\n{await log}\n{await errors}");
        return Path.Combine(output, "Integrator.dll");
    }

    /// <summary>The sample's process, its output lines as they come.</summary>
    private sealed class SampleProcess : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];

        private SampleProcess(Process process) => _process = process;

        public static SampleProcess Start(string dll, IReadOnlyDictionary<string, string> environment)
        {
            var psi = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var (name, value) in environment) psi.Environment[name] = value;
            psi.Environment["Logging__LogLevel__Default"] = "Warning";
            var sample = new SampleProcess(Process.Start(psi)!);
            sample._process.OutputDataReceived += (_, e) => sample.Add(e.Data);
            sample._process.ErrorDataReceived += (_, e) => sample.Add(e.Data is null ? null : "stderr: " + e.Data);
            sample._process.BeginOutputReadLine();
            sample._process.BeginErrorReadLine();
            return sample;
        }

        private void Add(string? line)
        {
            if (line is not null) lock (_lines) _lines.Add(line);
        }

        public IReadOnlyList<string> Lines()
        {
            lock (_lines) return [.. _lines];
        }

        public async Task<int> Exit(TimeSpan within)
        {
            await _process.WaitForExitAsync().WaitAsync(within);
            _process.WaitForExit(); // the output's last lines
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }
}
