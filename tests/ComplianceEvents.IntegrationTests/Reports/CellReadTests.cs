using System.Diagnostics;
using System.Text.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Imports;
using ComplianceEvents.Reports.Auditing;
using Marten;
using Marten.Services;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace ComplianceEvents.IntegrationTests.Reports;

/// <summary>
/// A cell's audit and explanation read that cell's streams by key: another cell's long history adds no row to what they read
/// (counted by PostgreSQL itself, EXPLAIN ANALYZE of every statement the session sent), and their answers stay those of
/// the whole cycle's events.
/// </summary>
public sealed class CellReadTests(AppFixture app, ITestOutputHelper output) : HostTest(app)
{
    private const string Apulia = "2024-apulia";
    private const int OtherHistory = 32_000;

    [Fact]
    public async Task a_cells_audit_and_explanation_read_the_cell_not_the_cycle()
    {
        await using (var scope = App.Factory.Services.CreateAsyncScope())
            Assert.True((await DatasetImporter.From(scope.ServiceProvider)
                .Import(await File.ReadAllTextAsync(Repo.PathOf("data", "seeds", $"{Apulia}.json")))).Succeeded);
        var cell = new CellStreams(Apulia, "19", "JP");
        var (auditBefore, _) = await Audit(cell);
        var explainBefore = await Explain(cell, "0", "interim");

        // Another cell of the same commitment gets a history as long as a large cycle's: 32,000 events.
        for (var batch = 0; batch < OtherHistory / 4000; batch++)
        {
            await using var writer = App.Store.LightweightSession();
            writer.Events.Append(Assessment.StreamKey(Apulia, "19", "FR"), Enumerable.Range(0, 4000).Select(i =>
                (object)new EvidenceRecorded($"bulk-{batch}-{i}", new DateOnly(2024, 5, 1), $"Action {i} of batch {batch}.", [],
                    Strength.Weak, [], [])).ToArray());
            await writer.SaveChangesAsync();
        }
        await Analyze();

        var cellRows = await CellRowCount(cell);
        var (auditAfter, auditRows) = await Audit(cell);
        Assert.Equal(AuditTrail.ToText(auditBefore), AuditTrail.ToText(auditAfter));
        Assert.InRange(auditRows.Rows, cellRows.WithoutCycle, cellRows.WithoutCycle + 5);
        Assert.Equal(1, auditRows.Statements);

        // Explaining up to "now" also asks the log for the cycle's last sequence: one index probe per stream of the cycle.
        var (_, explainRows) = await Explain(cell, "0", "interim");
        Assert.InRange(explainRows.Rows, cellRows.WithCycle, cellRows.WithCycle + 2 * cellRows.CycleStreams + 5);
        string Head(string? text) => text![..text!.IndexOf('[')];
        Assert.Equal(Head(explainBefore.Text), Head((await Explain(cell, "0", "interim")).Text));

        // Same answers as from the whole cycle's events, for an edition-less "now", sequences and times.
        await using var session = App.Store.QuerySession();
        var cycle = (await session.LoadAsync<Cycle>(Cycle.StreamKey(Apulia)))!;
        var all = await Explaining.CycleEvents(session, Apulia, default);
        var someTime = all[all.Count / 2].Timestamp.ToString("O");
        foreach (var (from, to) in new[] { ("0", "interim"), ("5", someTime), (someTime, "final"), ("1", "2") })
        {
            var whole = await Explaining.Resolve(cycle, Explaining.InMemory(all), from, null) is { } a
                && await Explaining.Resolve(cycle, Explaining.InMemory(all), to, null) is { } b
                    ? Explaining.Explain(all, cell, a, b).ToText() : null;
            Assert.Equal(whole, (await Explain(cell, from, to)).Text);
        }

        // The audit alone (a session, its query, the entries), without the EXPLAIN replay above.
        var times = new List<double>();
        for (var i = 0; i < 21; i++)
        {
            var timer = Stopwatch.StartNew();
            await using (var reader = App.Store.QuerySession()) Assert.NotEmpty(await AuditTrail.Of(reader, cell, default));
            times.Add(timer.Elapsed.TotalMilliseconds);
        }
        output.WriteLine($"audit of one cell beside a {OtherHistory}-event cell: median {times.Order().ElementAt(10):0.0} ms of 21 " +
            $"({auditAfter.Count} entries, {auditRows.Rows} mt_events rows read)");
    }

    private sealed record Reads(int Statements, long Rows);

    private async Task<(IReadOnlyList<AuditEntry> Entries, Reads Reads)> Audit(CellStreams cell)
    {
        await using var session = App.Store.QuerySession();
        var log = new StatementLog();
        session.Logger = log;
        var entries = await AuditTrail.Of(session, cell, default);
        Assert.NotEmpty(entries);
        return (entries, await log.RowsRead(App.ConnectionString));
    }

    private async Task<(string? Text, Reads Reads)> Explain(CellStreams cell, string from, string to)
    {
        await using var session = App.Store.QuerySession();
        var cycle = (await session.LoadAsync<Cycle>(Cycle.StreamKey(cell.CycleId)))!;
        var log = new StatementLog();
        session.Logger = log;
        var clock = Explaining.FromLog(session, cell.CycleId, default);
        var a = await Explaining.Resolve(cycle, clock, from, null);
        var b = await Explaining.Resolve(cycle, clock, to, null);
        var text = a is null || b is null ? null
            : Explaining.Explain(await cell.Read(session, withCycle: true, default), cell, a, b).ToText();
        return (text, await log.RowsRead(App.ConnectionString));
    }

    private async Task<(long WithoutCycle, long WithCycle, long CycleStreams)> CellRowCount(CellStreams cell)
    {
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        async Task<long> Count(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.AddWithValue("cycle", cell.CycleKey);
            cmd.Parameters.AddWithValue("commitment", cell.CommitmentKey);
            cmd.Parameters.AddWithValue("assessment", cell.AssessmentKey);
            cmd.Parameters.AddWithValue("prefix", $"%:{cell.CycleId}%");
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
        return (await Count("select count(*) from compliance.mt_events where stream_id in (@commitment, @assessment)"),
            await Count("select count(*) from compliance.mt_events where stream_id in (@cycle, @commitment, @assessment)"),
            await Count("select count(*) from compliance.mt_streams where id like @prefix"));
    }

    private async Task Analyze()
    {
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("analyze compliance.mt_events; analyze compliance.mt_streams", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Every statement a session sent, replayed under EXPLAIN ANALYZE to count the mt_events rows its scans touched.</summary>
    private sealed class StatementLog : IMartenSessionLogger
    {
        private readonly List<(string Sql, NpgsqlParameter[] Parameters)> _statements = [];

        public async Task<Reads> RowsRead(string connectionString)
        {
            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync();
            long rows = 0;
            foreach (var (sql, parameters) in _statements)
            {
                await using var cmd = new NpgsqlCommand("explain (analyze, format json) " + sql, conn);
                cmd.Parameters.AddRange(parameters.Select(p => p.Clone()).ToArray());
                using var plan = JsonDocument.Parse((string)(await cmd.ExecuteScalarAsync())!);
                rows += EventRows(plan.RootElement[0].GetProperty("Plan"));
            }
            return new Reads(_statements.Count, rows);
        }

        private static long EventRows(JsonElement node)
        {
            long Number(string name) => node.TryGetProperty(name, out var v) ? (long)v.GetDouble() : 0;
            var own = node.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "mt_events"
                ? (Number("Actual Rows") + Number("Rows Removed by Filter") + Number("Rows Removed by Index Recheck"))
                    * Number("Actual Loops")
                : 0;
            return own + (node.TryGetProperty("Plans", out var children) ? children.EnumerateArray().Sum(EventRows) : 0);
        }

        private void Add(string sql, System.Data.Common.DbParameterCollection parameters) =>
            _statements.Add((sql, parameters.Cast<NpgsqlParameter>().Select(p => p.Clone()).ToArray()));

        public void LogSuccess(NpgsqlCommand command) => Add(command.CommandText, command.Parameters);
        public void LogSuccess(NpgsqlBatch batch)
        {
            foreach (var c in batch.BatchCommands) Add(c.CommandText, c.Parameters);
        }
        public void LogFailure(NpgsqlCommand command, Exception ex) { }
        public void LogFailure(NpgsqlBatch batch, Exception ex) { }
        public void LogFailure(Exception ex, string message) { }
        public void RecordSavedChanges(IDocumentSession session, IChangeSet commit) { }
        public void OnBeforeExecute(NpgsqlCommand command) { }
        public void OnBeforeExecute(NpgsqlBatch batch) { }
    }
}
