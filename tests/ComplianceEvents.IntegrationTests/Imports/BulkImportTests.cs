using System.Text.Json.Nodes;
using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Imports;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports.CheckingDrift;
using ComplianceEvents.Reports.GettingScores;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Imports;

/// <summary>import --bulk (issue 20, item 5): the normal import's decisions, written with the bulk event insert.</summary>
public sealed partial class BulkImportTests(AppFixture app) : HostTest(app)
{
    [System.Text.RegularExpressions.GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial System.Text.RegularExpressions.Regex EventId();

    private static readonly DateTimeOffset Now = new(2026, 12, 2, 4, 0, 0, TimeSpan.Zero);

    private Task<ImportReport> Import(string json, bool bulk) =>
        new DatasetImporter(App.Store, App.Factory.Services.GetRequiredService<CommandValidators>(),
                App.Factory.Services.GetRequiredService<CommandSlices>(), new FixedClock())
            .Import(json, bulk);

    /// <summary>Both imports decide at one instant, so their receipts and decided times can be compared.</summary>
    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static Task<string> Seed(string file) => File.ReadAllTextAsync(Repo.PathOf("data", "seeds", file));

    /// <summary>What the store holds, but what only the moment of writing decides (event ids, sequences, timestamps).</summary>
    private async Task<List<string>> Stored()
    {
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        var rows = new List<string>();
        async Task Read(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount)
                    .Select(i => reader.IsDBNull(i) ? "null" : $"{reader.GetValue(i)}")));
        }
        await Read("select stream_id, version, type, data::text, headers::text, correlation_id, causation_id, mt_dotnet_type "
            + "from compliance.mt_events where stream_id <> 'mt_tombstone' order by seq_id");
        await Read("select id, version, type, is_archived from compliance.mt_streams where id <> 'mt_tombstone' order by id");
        var tables = new List<string>();
        await using (var cmd = new NpgsqlCommand("select table_name from information_schema.tables where table_schema = 'compliance' "
            + "and table_name like 'mt_doc_%' order by table_name", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        foreach (var table in tables) await Read($"select '{table}', id, data::text from compliance.{table} order by id");
        // Event ids are random: a receipt's are written as the stream and version of the stored event each names.
        var names = new Dictionary<string, string>();
        await using (var cmd = new NpgsqlCommand("select id::text, stream_id || '@' || version from compliance.mt_events", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) names[reader.GetString(0)] = reader.GetString(1);
        return rows.Select(r => EventId().Replace(r, m => names.GetValueOrDefault(m.Value, "unknown event " + m.Value))).ToList();
    }

    [Theory]
    [InlineData("2024-apulia")]
    [InlineData("2017-taormina")]
    public async Task a_bulk_import_reports_scores_and_stores_what_the_normal_import_does(string cycle)
    {
        var json = await Seed($"{cycle}.json");
        var normal = await Import(json, bulk: false);
        Assert.True(normal.Succeeded, normal.Summary());
        var normalScores = await Scores(cycle);
        var normalStored = await Stored();

        await App.ResetAsync();
        var bulk = await Import(json, bulk: true);
        Assert.True(bulk.Succeeded, bulk.Summary());
        Assert.Equal(normal.Summary(), bulk.Summary());
        Assert.Equal(normalScores, await Scores(cycle));
        // Events in the same order with the same data and metadata; the same streams; every document (inline snapshots, cell
        // scores, receipts) the same JSON.
        var bulkStored = await Stored();
        var differ = normalStored.Zip(bulkStored).FirstOrDefault(p => p.First != p.Second);
        Assert.True(differ == default, $"normal: {differ.First}\nbulk:   {differ.Second}");
        Assert.Equal(normalStored, bulkStored);
        Assert.True((await App.Factory.Services.GetRequiredService<ReadModelDrift>().Check(cycle)).Clean);

        // The receipts are there: the normal import of the same file afterwards finds every step already there.
        var again = await Import(json, bulk: false);
        Assert.Equal(0, again.Created);
        Assert.Equal(normal.Created, again.AlreadyThere);
    }

    private async Task<string> Scores(string cycle)
    {
        await using var session = App.Store.QuerySession();
        var table = (await TableB.Load(session, cycle))!;
        return string.Join("\n", table.Commitments.Select(c => $"{c.Number}: {string.Join(",", c.Cells.Select(x => x.Display))} "
            + c.Average.DisplayWithPercent));
    }

    [Fact]
    public async Task a_bulk_import_of_a_cycle_that_exists_is_refused_in_one_line_naming_it_and_writes_nothing()
    {
        Assert.True((await Import(await Seed("2024-apulia.json"), bulk: false)).Succeeded);
        var events = await App.EventCount();
        var refused = await Import(await Seed("2024-apulia.json"), bulk: true);
        Assert.False(refused.Succeeded);
        Assert.Equal("cycle 2024-apulia already exists: --bulk only creates new cycles; import the file without --bulk to add to it",
            refused.Refusal);
        Assert.Equal(events, await App.EventCount());

        var cli = await new Cli(App).Run("import", "data/seeds/2024-apulia.json", "--bulk");
        Assert.NotEqual(0, cli.Exit);
        Assert.Equal("import: " + refused.Refusal, Assert.Single(cli.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            l => l.StartsWith("import:")));
        Assert.Equal(events, await App.EventCount());
    }

    [Fact]
    public async Task a_refused_step_refuses_the_bulk_file_with_the_normal_report_lines_and_writes_nothing()
    {
        var dataset = JsonNode.Parse(await Seed("2017-taormina.json"))!;
        var proposal = dataset["commitments"]![0]!["assessments"]![0]!["proposals"]![0]!;
        proposal["review"]!["by"] = proposal["by"]!.DeepClone(); // approving one's own proposal (separation of duties)
        var json = dataset.ToJsonString();

        var normal = await Import(json, bulk: false);
        Assert.False(normal.Succeeded);
        Assert.NotEmpty(normal.Refused);
        var bulk = await Import(json, bulk: true);
        Assert.Equal(normal.Summary(), bulk.Summary());
        Assert.Null(bulk.Refusal);
        Assert.Equal(0, await App.EventCount());
    }

    [Fact]
    public async Task a_normal_writer_on_another_cycle_during_a_bulk_import_loses_nothing_and_the_log_settles_after_both()
    {
        Assert.True((await Import(await Seed("2024-apulia.json"), bulk: false)).Succeeded);
        var taormina = await Seed("2017-taormina.json");
        var citation = new Citation("Later action", "Ministry", "Capital", "2025-02-01", new DateOnly(2025, 3, 1),
            "https://example.org/later");
        var horizon = App.Factory.Services.GetRequiredService<LogHorizon>();

        var bulk = Import(taormina, bulk: true);
        var accepted = 0;
        var settledMeanwhile = new List<(SettledPoint Point, long BySequence, long ByTime)>();
        // Until the bulk import has finished, and at least a few commands, so that some overlap it.
        for (var i = 0; !bulk.IsCompleted || i < 5; i++)
        {
            var r = await App.Send(new RecordEvidence("2024-apulia", "19", "CA", new DateOnly(2024, 7, 1).AddDays(i % 100),
                $"On a later day, action {i}.", [citation], ["counter"], Strength.Strong), "TianTian Dong", [Roles.Analyst]);
            Assert.True(r.IsAccepted, r.Message);
            accepted++;
            if (i % 3 == 0)
            {
                var point = await horizon.Settle();
                settledMeanwhile.Add((point, await Below(point, "seq_id <= @s"), await Below(point, "timestamp <= @t")));
            }
        }
        var report = await bulk;
        Assert.True(report.Succeeded, report.Summary());

        await using var session = App.Store.QuerySession();
        var ca = await session.LoadAsync<Assessment>(Assessment.StreamKey("2024-apulia", "19", "CA"));
        var seed = JsonNode.Parse(await Seed("2024-apulia.json"))!["commitments"]![0]!["assessments"]!.AsArray()
            .Single(a => (string)a!["member"]! == "CA")!["evidence"]!.AsArray().Count;
        Assert.Equal(seed + accepted, ca!.Evidence.Count);
        Assert.Equal(await session.Events.FetchStreamStateAsync(ca.Id) is { } s ? s.Version : -1, ca.Version);
        Assert.True((await App.Factory.Services.GetRequiredService<ReadModelDrift>().Check()).Clean);
        Assert.Equal("5: 0,+1,+1,0,0,+1,0,+1 +0.50 (75%)", await Scores("2017-taormina"));

        // Every sequence number was taken by exactly one event (the bulk insert left no unused block), and every point the
        // log settled at meanwhile still holds exactly what it held then, by sequence and by time: nothing appeared below it
        // later, though the bulk insert's events were stamped and numbered while the writer's went on.
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        await using var max = new NpgsqlCommand("select max(seq_id) = count(*), max(seq_id) from compliance.mt_events", conn);
        await using (var reader = await max.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Assert.True(reader.GetBoolean(0));
            Assert.Equal(reader.GetInt64(1), (await horizon.Settle()).Sequence);
        }
        foreach (var (point, bySequence, byTime) in settledMeanwhile)
        {
            Assert.Equal(bySequence, await Below(point, "seq_id <= @s"));
            Assert.Equal(byTime, await Below(point, "timestamp <= @t"));
        }
    }

    private async Task<long> Below(SettledPoint p, string condition)
    {
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"select count(*) from compliance.mt_events where {condition}", conn);
        cmd.Parameters.AddWithValue("s", p.Sequence);
        cmd.Parameters.AddWithValue("t", p.Time);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
