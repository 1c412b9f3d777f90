using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ComplianceEvents.Benchmarks.Data;
using ComplianceEvents.Benchmarks.Hosting;
using ComplianceEvents.Benchmarks.Measuring;
using ComplianceEvents.Benchmarks.Output;
using ComplianceEvents.Benchmarks.Raw;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Auth;
using Microsoft.Extensions.Configuration;

namespace ComplianceEvents.Benchmarks.Figures;

/// <summary>
/// B4 (issue 9): the product's HTTP API on Kestrel at 127.0.0.1, loaded by wrk (a separate process, Debian package
/// <c>wrk</c>) with 50 connections for 30 s: a quarter of the requests record evidence (POST, spread over every cell
/// of one cycle), the rest read an assessment, Table B (/scores) and the interim report of an already scored cycle.
/// Reported: requests/s, p50, p99, errors; the target is zero errors and p99 &lt;= 10x p50.
/// </summary>
public static class HttpFigure
{
    private const string WriteCycle = "http-write";
    private const string ReadPrefix = "http-read";
    /// <summary>CommandWorkload names its first cycle prefix-0.</summary>
    private const string ReadCycle = ReadPrefix + "-0";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static async Task Run(BenchContext ctx, BenchCluster cluster)
    {
        var wrk = FindWrk();
        var port = LocalPostgres.FreePort();
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using var host = await ProductHost.Start(await cluster.CreateDatabase("bench_http"),
            settings: new Dictionary<string, string> { ["Auth:SigningKey"] = key }, kestrelPort: port);

        // Untimed set-up through the bus: a scored cycle to read, an empty one to write evidence into.
        var bus = host.NewSender();
        var read = CommandWorkload.Build(ReadPrefix, ctx.Sizes.HttpReadCycleCommands, ctx.Sizes.EvidencePerCell, seed: 4_000);
        await read.SetUp(bus);
        foreach (var item in read.Items)
            CommandWorkload.Expect(await bus.Send(item.Command, item.Actor), item.Command);
        var synthetic = new Synthetic(4_001);
        foreach (var (command, actor) in synthetic.CycleSetup(WriteCycle))
            CommandWorkload.Expect(await bus.Send(command, actor), command);

        var auth = AuthSettings.From(new ConfigurationBuilder().AddInMemoryCollection([new("Auth:SigningKey", key)]).Build());
        var token = DevTokens.Mint(auth, "bench-analyst", [Roles.Analyst], lifetime: TimeSpan.FromHours(2));
        var script = Path.Combine(Path.GetTempPath(), $"compliance-b4-{Environment.ProcessId}.lua");
        await File.WriteAllTextAsync(script, Script(synthetic, read, token));
        try
        {
            var url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
            var warm = await RunWrk(wrk, script, url, ctx.Sizes.HttpClients, ctx.Sizes.HttpWarmUpSeconds);
            ctx.Say($"B4 warm-up: {warm.RequestsPerSecond:0} requests/s, {warm.Errors} " +
                $"errors" + string.Concat(warm.FirstFailures.Select(e => "\n      " + e)));
            var evidenceBefore = await EvidenceCount(host);
            var before = await ctx.Probe.Read();
            var run = await RunWrk(wrk, script, url, ctx.Sizes.HttpClients, ctx.Sizes.HttpSeconds);
            var cost = await ctx.Probe.Explain(before, (int)Math.Min(int.MaxValue, run.Requests), 0);
            var recorded = await EvidenceCount(host) - evidenceBefore;

            var ratio = run.P50Ms > 0 ? run.P99Ms / run.P50Ms : double.NaN;
            var met = run.Errors == 0 && ratio <= 10;
            ctx.Add(new Figure
            {
                Id = "B4", Concurrency = ctx.Sizes.HttpClients, Unit = "requests/s", Value = run.RequestsPerSecond,
                Ratio = ratio, Must = "0 errors, p99 <= 10x p50 (ratio = p99 / p50)", Met = met,
                P50Ms = run.P50Ms, P99Ms = run.P99Ms, Runs = 1, OperationsPerRun = (int)Math.Min(int.MaxValue, run.Requests),
                Explain = cost, RoundTripsPerOp = cost.NpgsqlCommandsPerOp,
                Workload = $"wrk (separate process) with {ctx.Sizes.HttpClients} connections on 2 threads for {ctx.Sizes.HttpSeconds} s " +
                    $"against the product on "
                    + "Kestrel at 127.0.0.1 with JWT bearer auth: 1/4 POST evidence (~1.6 KB JSON, spread over the 160 cells of a fresh " +
                        "cycle), "
                    + "1/4 GET an assessment, 1/4 GET Table B (/scores), 1/4 GET the interim report (Markdown, as of now, from events) " +
                        "of a cycle "
                    + $"scored through {ctx.Sizes.HttpReadCycleCommands} commands",
                Notes = $"{run.Requests} requests, {run.Errors} errors (connect {run.Connect}, read {run.Read}, write {run.Write}, "
                    + $"HTTP status >= 400 {run.Status}, timeout {run.Timeout}); {recorded} evidence items recorded; "
                    + $"p90 {run.P90Ms:0.0} ms, max {run.MaxMs:0.0} ms; {run.Bytes / 1048576.0:0.0} MiB read"
                    + (run.FirstFailures.Count == 0 ? "" : "; first failed responses: " + string.Join(" / " +
                        "", run.FirstFailures.Select(e => e.ReplaceLineEndings(" ")))),
            });
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>The Lua script wrk runs: a fixed list of pre-formatted requests, each thread starting at its own offset.</summary>
    private static string Script(Synthetic synthetic, CommandWorkload read, string token)
    {
        var cells = Enumerable.Range(1, Synthetic.CommitmentsPerCycle)
            .SelectMany(n => Synthetic.G7.Select(m => (Commitment: Synthetic.CommitmentId(n), Member: m.Code))).ToList();
        var readCells = read.Items.Select(i => (i.Command.CommitmentId, i.Command.MemberCode)).Distinct().ToList();
        var lua = new StringBuilder();
        lua.AppendLine("-- generated by the bench (HttpFigure): B4's request mix");
        lua.AppendLine($"wrk.headers[\"Authorization\"] = \"Bearer {token}\"");
        lua.AppendLine("wrk.headers[\"Content-Type\"] = \"application/json\"");
        lua.AppendLine("local specs = {");
        for (var i = 0; i < cells.Count * 4; i++)
        {
            var k = i / 4;
            switch (i % 4)
            {
                case 0:
                    var (commitment, member) = cells[k % cells.Count];
                    var body = JsonSerializer.Serialize(synthetic.Evidence(WriteCycle, commitment, member), Json);
                    lua.AppendLine($"  {{\"POST\", \"/cycles/{WriteCycle}/commitments/{commitment}/assessments/{member}/evidence\", " +
                        $"[==[{body}]==]}},");
                    break;
                case 1:
                    var (c, m) = readCells[k % readCells.Count];
                    lua.AppendLine($"  {{\"GET\", \"/cycles/{ReadCycle}/commitments/{c}/assessments/{m}\"}},");
                    break;
                case 2:
                    lua.AppendLine($"  {{\"GET\", \"/cycles/{ReadCycle}/scores\"}},");
                    break;
                default:
                    lua.AppendLine($"  {{\"GET\", \"/cycles/{ReadCycle}/report?kind=interim&format=md\"}},");
                    break;
            }
        }
        lua.AppendLine("}");
        lua.AppendLine("""
            local requests = {}
            local counter = 0
            local threads = 0
            function setup(thread)
              thread:set("offset", threads * 37)
              threads = threads + 1
            end
            function init(args)
              counter = offset or 0
              for i, s in ipairs(specs) do requests[i] = wrk.format(s[1], s[2], nil, s[3]) end
            end
            function request()
              counter = counter + 1
              return requests[(counter % #requests) + 1]
            end
            local shown = 0
            function response(status, headers, body)
              if status >= 400 and shown < 3 then
                shown = shown + 1
                io.write("B4ERROR " .. status .. " " .. string.sub(body or "", 1, 300) .. "\n")
              end
            end
            function done(summary, latency, requests)
              local e = summary.errors
              io.write(string.format("B4RESULT %d %d %d %d %d %d %d %d %d %d %d %d %d\n",
                summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
                latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, math.floor(latency.mean)))
            end
            """);
        return lua.ToString();
    }

    /// <param name="FirstFailures">The first failed responses wrk saw (status and the start of the body).</param>
    private sealed record WrkResult(long Requests, long DurationUs, long Bytes, long Connect, long Read, long Write, long Status,
        long Timeout,
        long P50Us, long P90Us, long P99Us, long MaxUs, IReadOnlyList<string> FirstFailures)
    {
        public long Errors => Connect + Read + Write + Status + Timeout;
        public double RequestsPerSecond => Requests / (DurationUs / 1e6);
        public double P50Ms => P50Us / 1000.0;
        public double P90Ms => P90Us / 1000.0;
        public double P99Ms => P99Us / 1000.0;
        public double MaxMs => MaxUs / 1000.0;
    }

    private static async Task<WrkResult> RunWrk(string wrk, string script, string url, int connections, int seconds)
    {
        var info = new ProcessStartInfo(wrk)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            ArgumentList = { "-t", "2", "-c", connections.ToString(CultureInfo.InvariantCulture), "-d", $"{seconds}s", "--timeout", "10s",
                "-s", script, url },
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {wrk}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout;
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("B4RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk exited with {process.ExitCode} without a result:\n{output}\n{await stderr}");
        var n = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(x => long.Parse(x,
            CultureInfo.InvariantCulture)).ToArray();
        var failures = output.Split('\n').Where(l => l.StartsWith("B4ERROR " +
            "", StringComparison.Ordinal)).Take(6).Select(l => l[8..]).ToList();
        return new WrkResult(n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11], failures);
    }

    private static async Task<long> EvidenceCount(ProductHost host)
    {
        return await Sql.Scalar<long>(host.Db, "select count(*) from compliance.mt_events where type = 'evidence_recorded' and stream_id " +
            "like $1",
            $"assessment:{WriteCycle}:%");
    }

    /// <summary>wrk on PATH or in /usr/bin; a clear message naming the package otherwise.</summary>
    public static string FindWrk() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Append("/usr/bin").Select(d => Path.Combine(d,
            "wrk")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("B4 needs the HTTP load generator wrk: install the Debian package 'wrk' (apt-get install " +
            "wrk).");

}
