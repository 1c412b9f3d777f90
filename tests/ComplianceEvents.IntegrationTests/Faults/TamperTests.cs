using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Auth;
using ComplianceEvents.Reports.PublishingReport;
using ComplianceEvents.Infrastructure.Chain;
using ComplianceEvents.IntegrationTests.WriteSide;
using Marten;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Faults;

/// <summary>
/// Issue 15 items 1 and 2: the six kinds of tampering (and a cut stream tail), each done with the superuser's SQL to a chained
/// log, each found by verify-log and located (sequence, stream, version, what differs); /health turns unhealthy naming it.
/// Every case on a database of its own; the chain is extended by the test (the background loop is off), so nothing races it.
/// </summary>
public sealed class TamperTests(AppFixture app) : HostTest(app)
{
    [Fact]
    public async Task an_untouched_log_verifies_intact_in_full_and_incrementally_and_every_event_is_chained()
    {
        await using var t = await Chained("chain_intact");
        var full = await t.Verify(false);
        Assert.True(full.Intact, string.Join("; ", full.Breaks));
        Assert.Equal(await t.Long("select count(*) from compliance.mt_events"), full.EventsChecked);
        Assert.Equal(0, full.Unchained);
        await t.Send(World.Evidence("FR", new DateOnly(2024, 8, 1)));
        await t.Extend();
        var incremental = await t.Verify(true);
        Assert.True(incremental.Intact, string.Join("; ", incremental.Breaks));
        Assert.Equal("incremental", incremental.Mode);
        Assert.Equal(await t.Long("select count(*) from compliance.mt_events") - full.EventsChecked, incremental.EventsChecked);
        using var health = await t.Client.GetAsync("/health");
        Assert.DoesNotContain("event log", await health.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("data")]
    [InlineData("actor")]
    [InlineData("timestamp")]
    [InlineData("deleted")]
    [InlineData("swapped")]
    [InlineData("forged")]
    [InlineData("rewritten-with-hashes")]
    [InlineData("tail-cut")]
    public async Task tampering_is_detected_and_located(string kind)
    {
        await using var t = await Chained("chain_" + kind.Replace('-', '_'));
        // The first evidence event of the CA cell: mid-log, its stream has a later event, and other streams follow it.
        var (seq, stream, version) = await t.Event("select seq_id, stream_id, version from compliance.mt_events where type = " +
            "'evidence_recorded' order by seq_id limit 1");
        var expected = kind switch
        {
            "data" => await t.Tamper(
                $"update compliance.mt_events set data = jsonb_set(data, '{{summary}}', '\"edited\"') where seq_id = {seq}", "data"),
            "actor" => await t.Tamper($"update compliance.mt_events set headers = jsonb_set(headers, '{{{EventHeaders.User}}}', " +
                $"'\"mallory\"') where seq_id = {seq}", "metadata", "mallory"),
            "timestamp" => await t.Tamper($"update compliance.mt_events set timestamp = '2020-01-01T00:00:00Z' where seq_id = {seq}",
                "metadata", "2020-01-01"),
            "deleted" => await t.Tamper($"delete from compliance.mt_events where seq_id = {seq}", "missing"),
            "swapped" => await t.Tamper($"""
                update compliance.mt_events set version = -1 where seq_id = {seq};
                update compliance.mt_events set version = {version} where stream_id = '{stream}' and version = {version + 1};
                update compliance.mt_events set version = {version + 1} where seq_id = {seq};
                """, "moved", $"version {version + 1}"),
            "forged" => await t.Forge(stream),
            "rewritten-with-hashes" => await t.RewriteWithHashes(seq),
            _ => await t.CutTail(stream),
        };

        var report = await t.Verify(false);
        Assert.False(report.Intact);
        var first = report.FirstBreak!;
        Assert.True(report.Breaks.Any(b => b.Kind == expected.Kind && (expected.Detail is null || b.Detail.Contains(expected.Detail))),
            $"expected a '{expected.Kind}' break; found: {string.Join("; ", report.Breaks)}");
        Assert.True(first.Sequence <= expected.Sequence,
            $"the first break is at {first.Sequence}, after the tampering at {expected.Sequence}");
        var located = report.Breaks.First(b => b.Kind == expected.Kind);
        Assert.Equal(expected.Stream ?? stream, located.Stream);

        using var health = await t.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        using var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        Assert.Contains(body.RootElement.GetProperty("reasons").EnumerateArray(),
            r => r.GetString()!.Contains($"sequence {first.Sequence}"));
    }

    [Fact]
    public async Task an_edition_over_a_rewritten_log_regenerates_identically_but_is_unverified_and_not_served()
    {
        await using var t = await Chained("chain_edition");
        await t.Send(World.Proposal("CA", 0, "e1"));
        await t.Send(new ApproveScore(World.Cycle, World.C19, "CA", "p1"), World.Lead, World.LeadRoles);
        await t.Send(new PublishReport(World.Cycle, ReportKind.Interim), "chair", [Roles.Editor]);
        using var viewer = t.Viewer();
        const string verification = $"/cycles/{World.Cycle}/reports/interim/editions/1/verification";
        const string edition = $"/cycles/{World.Cycle}/report?kind=interim&edition=1";
        var before = await viewer.GetFromJsonAsync<JsonElement>(verification);
        Assert.True(before.GetProperty("verified").GetBoolean(), before.ToString());
        Assert.True(before.GetProperty("recordedAtSequence").GetInt64() > before.GetProperty("pinnedSequence").GetInt64());

        // An approval's actor rewritten below the pin: the numbers do not change, so the regenerated edition is identical; the
        // chain is what tells.
        var (seq, _, _) = await t.Event("select seq_id, stream_id, version from compliance.mt_events where type = 'score_approved' " +
            "order by seq_id limit 1");
        await t.Tamper($"update compliance.mt_events set headers = jsonb_set(headers, '{{{EventHeaders.User}}}', '\"mallory\"') " +
            $"where seq_id = {seq}", "metadata");
        var after = await viewer.GetFromJsonAsync<JsonElement>(verification);
        Assert.True(after.GetProperty("identical").GetBoolean(), after.ToString());
        Assert.False(after.GetProperty("chainIntact").GetBoolean(), after.ToString());
        Assert.False(after.GetProperty("verified").GetBoolean(), after.ToString());
        Assert.Contains($"sequence {seq}", after.GetProperty("chainBreak").GetString());

        using var served = await viewer.GetAsync(edition);
        Assert.Equal(HttpStatusCode.Conflict, served.StatusCode);
        using var problem = JsonDocument.Parse(await served.Content.ReadAsStringAsync());
        Assert.Equal("log-broken", problem.RootElement.GetProperty("title").GetString());
        Assert.Contains($"sequence {seq}", problem.RootElement.GetProperty("detail").GetString());
    }

    private async Task<Tampered> Chained(string database)
    {
        var connectionString = CreateDatabase(App.ServerConnectionString, database);
        var node = App.Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting($"ConnectionStrings:{Persistence.ConnectionStringName}", connectionString);
            b.UseSetting("Integration:Inbound:Enabled", "false");
            b.UseSetting("Chain:IntervalMilliseconds", "0");
        });
        var t = new Tampered(node, connectionString);
        await BuildWorld((command, user, roles) => t.Runner.Send(command, new CommandContext(new Actor(user, roles)), default));
        await t.Send(World.Evidence("CA", new DateOnly(2024, 7, 20)));
        await t.Extend();
        return t;
    }

    private sealed record Expected(long Sequence, string Kind, string? Detail = null, string? Stream = null);

    private sealed class Tampered(WebApplicationFactory<Program> node, string connectionString) : IAsyncDisposable
    {
        public CommandRunner Runner => node.Services.GetRequiredService<CommandRunner>();
        public HttpClient Client { get; } = node.CreateClient();
        private long _seq;

        public Task Send(object command) => Send(command, World.Analyst, World.AnalystRoles);

        public async Task Send(object command, string user, string[] roles) =>
            await Expect(Runner.Send(command, new CommandContext(new Actor(user, roles)), default));

        public HttpClient Viewer()
        {
            var client = node.CreateClient();
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
                DevTokens.Mint(node.Services.GetRequiredService<AuthSettings>(), "viewer", [Roles.Viewer]));
            return client;
        }

        public Task<int> Extend() => node.Services.GetRequiredService<Chainer>().Extend(default);

        public Task<ChainReport> Verify(bool incremental) => node.Services.GetRequiredService<ChainVerifier>().Verify(incremental, default);

        public async Task<long> Long(string sql) => Convert.ToInt64(await Scalar(sql));

        public async Task<(long Seq, string Stream, long Version)> Event(string sql)
        {
            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, conn);
            await using var r = await cmd.ExecuteReaderAsync();
            await r.ReadAsync();
            _seq = r.GetInt64(0);
            return (r.GetInt64(0), r.GetString(1), r.GetInt64(2));
        }

        public async Task<Expected> Tamper(string sql, string kind, string? detail = null)
        {
            await Scalar(sql);
            return new Expected(_seq, kind, detail);
        }

        /// <summary>A stream's last event deleted with its chain row, and the stream's recorded version moved back to match.</summary>
        public async Task<Expected> CutTail(string stream)
        {
            var (seq, _, version) = await Event("select seq_id, stream_id, version from compliance.mt_events " +
                $"where stream_id = '{stream}' order by version desc limit 1");
            await Scalar($"""
                delete from compliance.ce_chain where seq_id = {seq};
                delete from compliance.mt_events where seq_id = {seq};
                update compliance.mt_streams set version = {version - 1} where id = '{stream}';
                """);
            return new Expected(seq, "checkpoint-head");
        }

        /// <summary>An event slipped into a sequence the chain had passed (a hole left by an abandoned transaction).</summary>
        public async Task<Expected> Forge(string stream)
        {
            var hole = await Long("select nextval('compliance.mt_events_sequence')");
            await Send(World.Evidence("DE", new DateOnly(2024, 9, 2)));
            await Extend();
            var version = await Long($"select max(version) + 1 from compliance.mt_events where stream_id = '{stream}'");
            await Scalar($"insert into compliance.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, " +
                $"mt_dotnet_type, headers) select {hole}, gen_random_uuid(), stream_id, {version}, data, type, timestamp, tenant_id, " +
                $"mt_dotnet_type, headers from compliance.mt_events where seq_id = {_seq}");
            return new Expected(hole, "not-in-chain");
        }

        /// <summary>The event edited, then its chain rows and checkpoints from there on rebuilt consistently by someone without the
        /// host's key (a chainer with another key, its key id then set to the host's).</summary>
        public async Task<Expected> RewriteWithHashes(long seq)
        {
            var ourKey = node.Services.GetRequiredService<ChainKey>().Id;
            await Scalar($"""
                update compliance.mt_events set data = jsonb_set(data, '{"{summary}"}', '"edited"') where seq_id = {seq};
                delete from compliance.ce_chain where seq_id >= {seq};
                delete from compliance.ce_chain_checkpoints where through_seq_id >= {seq};
                """);
            var attacker = new Chainer(node.Services.GetRequiredService<IDocumentStore>(), node.Services.GetRequiredService<LogHorizon>(),
                new ChainKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), "attacker"), NullLogger<Chainer>.Instance);
            await attacker.Extend(default);
            await Scalar($"update compliance.ce_chain set key_id = '{ourKey}'; " +
                $"update compliance.ce_chain_checkpoints set key_id = '{ourKey}'");
            return new Expected(seq, "signature");
        }

        private async Task<object?> Scalar(string sql)
        {
            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(sql, conn);
            return await cmd.ExecuteScalarAsync();
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await node.DisposeAsync();
        }
    }
}
