using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ComplianceEvents.Infrastructure.Auth;
using ComplianceEvents.Integration;
using ComplianceEvents.IntegrationTests.WriteSide;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Npgsql;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>
/// Issue 9 item 3, outbound: "a crash after commit still delivers". The product runs as its own process; the
/// outbound queue's table is locked so the process commits the command (events and outbox envelope together) but
/// cannot move the envelope on; the process is killed (SIGKILL, no shutdown); another node then delivers the
/// integration event, exactly once.
/// </summary>
public sealed class CrashAfterCommitTests(AppFixture app) : HostTest(app)
{
    [Fact]
    public async Task an_integration_event_committed_by_a_process_killed_before_sending_is_delivered_once_by_another_node()
    {
        var world = new World(App);
        await world.Build();
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var (inbound, outbound) = ("crash-commands-" + suffix, "crash-events-" + suffix);
        var queueTable = $"wolverine_queues.wolverine_queue_{EnvelopeActors.QueueName(outbound)}";
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        using var product = await ProductProcess.Start(App.ConnectionString, key, inbound, outbound);
        await Eventually(() => Scalar<long>($"select count(*) from information_schema.tables where table_schema || '.' || table_name = " +
            $"'{queueTable}'"),
            n => n == 1, "the product process to create its outbound queue table");

        // Hold the outbound queue table: the product can commit the command but not move its envelope into the queue.
        await using var blocker = new NpgsqlConnection(App.ConnectionString);
        await blocker.OpenAsync();
        await using var lockTx = await blocker.BeginTransactionAsync();
        await using (var lockCmd = new NpgsqlCommand($"lock table {queueTable} in access exclusive mode", blocker, lockTx))
            await lockCmd.ExecuteNonQueryAsync();

        using var client = product.Client(key, World.Analyst, World.AnalystRoles);
        var posting = client.PostAsJsonAsync($"/cycles/{World.Cycle}/commitments/{World.C19}/assessments/CA/evidence",
            World.Evidence("CA", new DateOnly(2024, 7, 12)), Http.ApiJson.Options);
        // Committed: the event and the envelope bound for the outbound queue are in the database, the queue has nothing.
        await Eventually(() => Scalar<long>("select count(*) from compliance.mt_events where type = 'evidence_recorded'"), n => n == 1,
            "the evidence to commit");
        await Eventually(() => Scalar<long>(
            $"select count(*) from compliance.wolverine_outgoing_envelopes where message_type = 'EvidenceRecordedV1' and destination " +
                $"like '%{EnvelopeActors.QueueName(outbound)}%'"),
            n => n == 1, "the outbox envelope to commit with the event");

        await using (var count = new NpgsqlCommand($"select count(*) from {queueTable}", blocker, lockTx))
            Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);

        // The crash: the process dies, and its connections with it (the server would notice a dead client only at its
        // next write, and a statement blocked on the lock would still complete on the client's behalf).
        product.Kill();
        await using (var terminate = new NpgsqlCommand(
            $"select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = " +
                $"'{ProductProcess.ApplicationName}'", blocker, lockTx))
            await terminate.ExecuteScalarAsync();
        await lockTx.RollbackAsync();
        _ = posting.ContinueWith(t => t.Exception, TaskScheduler.Default); // the killed process never answers, or answered 201 already

        // Another node of the same service, configured with the same queues, recovers the dead node's outbox.
        await using var survivor = App.Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Integration:Inbound:Queue", inbound);
            b.UseSetting("Integration:Outbound:Queues", outbound);
            b.UseSetting("Integration:RecoveryPollingInterval", "00:00:00.250");
        });
        _ = survivor.Server;
        await Eventually(() => Scalar<long>($"select count(*) from {queueTable} where message_type = 'EvidenceRecordedV1'"), n => n >= 1,
            "the recovered envelope in the outbound queue", seconds: 60);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await Scalar<long>($"select count(*) from {queueTable} where message_type = 'EvidenceRecordedV1'"));
        Assert.Equal(1, await Scalar<long>("select count(*) from compliance.mt_events where type = 'evidence_recorded'"));
        await Eventually(() => Scalar<long>(
            $"select count(*) from compliance.wolverine_outgoing_envelopes where destination like " +
                $"'%{EnvelopeActors.QueueName(outbound)}%'"),
            n => n == 0, "the outbox to be empty once delivered");
    }

    private async Task<T> Scalar<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>The product's own executable (ComplianceEvents.dll next to the tests) as a separate process on a free loopback port.</summary>
    private sealed class ProductProcess : IDisposable
    {
        private readonly Process _process;
        private readonly string _workDir;
        private readonly System.Text.StringBuilder _output = new();

        private ProductProcess(Process process, string workDir, Uri baseAddress)
        {
            _process = process;
            _workDir = workDir;
            BaseAddress = baseAddress;
        }

        public Uri BaseAddress { get; }

        /// <summary>Names the process's database connections, so the test can end them with it.</summary>
        public const string ApplicationName = "compliance-crashing-node";

        public static async Task<ProductProcess> Start(string connectionString, string signingKey, string inbound, string outbound)
        {
            var port = Infrastructure.LocalPostgres.FreePort();
            var workDir = Directory.CreateTempSubdirectory("compliance-crash-").FullName;
            var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workDir, RedirectStandardOutput = true,
                RedirectStandardError = true };
            info.ArgumentList.Add(typeof(Program).Assembly.Location);
            info.Environment["ConnectionStrings__Marten"] = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = ApplicationName }.ConnectionString;
            info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            info.Environment["Auth__SigningKey"] = signingKey;
            info.Environment["Integration__Inbound__Queue"] = inbound;
            info.Environment["Integration__Outbound__Queues"] = outbound;
            info.Environment["Logging__LogLevel__Default"] = "Warning";
            var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
            var product = new ProductProcess(process, workDir, new Uri($"http://127.0.0.1:{port}"));
            process.OutputDataReceived += (_, e) => { lock (product._output) product._output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (product._output) product._output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            using var health = new HttpClient { BaseAddress = product.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (true)
            {
                if (process.HasExited) throw new Xunit.Sdk.XunitException($"The product process exited with " +
                    $"{process.ExitCode}:\n{product.Output}");
                try
                {
                    if ((await health.GetAsync("/health")).StatusCode == HttpStatusCode.OK) return product;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"The product process did not become " +
                    $"healthy:\n{product.Output}");
                await Task.Delay(250);
            }
        }

        private string Output
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

        /// <summary>SIGKILL: no shutdown hook, no draining, the way a crash ends a process.</summary>
        public void Kill()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
            try { Directory.Delete(_workDir, recursive: true); } catch (IOException) { }
        }
    }
}
