using System.Text.Json.Nodes;
using ComplianceEvents.Cycles;
using ComplianceEvents.Imports;
using ComplianceEvents.Reports;
using ComplianceEvents.Reports.AsOf;
using ComplianceEvents.Reports.Rendering;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;

namespace ComplianceEvents.IntegrationTests.Imports;

/// <summary>
/// The importer's assessment steps go in batches, one transaction each (issue 8, B1d: at least 500 events per
/// transaction), with the rules, receipts and per-step actors of single commands.
/// </summary>
public sealed class BatchedImportTests(AppFixture app) : HostTest(app)
{
    private async Task<ImportReport> Import(string json, int stepsPerTransaction)
    {
        await using var scope = App.Factory.Services.CreateAsyncScope();
        return await new DatasetImporter(scope.ServiceProvider.GetRequiredService<IMessageBus>(), stepsPerTransaction).Import(json);
    }

    private async Task<List<(string Tx, long Events)>> AssessmentTransactions()
    {
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        // xmin: the transaction that inserted the row.
        await using var cmd = new NpgsqlCommand(
            "select xmin::text, count(*) from compliance.mt_events where stream_id like 'assessment:%' group by xmin::text order by min(seq_id)", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, long)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetInt64(1)));
        return rows;
    }

    private async Task<string?> UserOf(string type, string streamId)
    {
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select headers->>'user-id' from compliance.mt_events where type = @t and stream_id = @s order by seq_id limit 1", conn);
        cmd.Parameters.AddWithValue("t", type);
        cmd.Parameters.AddWithValue("s", streamId);
        return (string?)await cmd.ExecuteScalarAsync();
    }

    [Fact]
    public async Task the_seed_chapter_imported_in_small_batches_gives_the_same_report_with_whole_cells_per_transaction_and_each_steps_own_user()
    {
        var json = await File.ReadAllTextAsync(Repo.PathOf("data", "seeds", "2024-apulia.json"));
        var first = await Import(json, stepsPerTransaction: 10);
        Assert.True(first.Succeeded, first.Summary());

        var transactions = await AssessmentTransactions();
        Assert.True(transactions.Count >= 2, $"expected several batches, got {transactions.Count}");
        // Every batch but the last holds at least 10 steps' events (a cell is never split).
        Assert.All(transactions.SkipLast(1), t => Assert.True(t.Events >= 10, $"transaction {t.Tx} holds {t.Events} events"));

        await using (var session = App.Store.QuerySession())
            Golden.Verify("2024-apulia-interim", MarkdownRenderer.Render((await Reporting.AsOf(session, "2024-apulia", ReportKind.Interim, AsOfPoint.Now))!), "md",
                testFile: Repo.PathOf("tests", "ComplianceEvents.IntegrationTests", "Reports", "ReportTests.cs")); // the seed chapter's golden report

        // The events carry the people the file names, step by step, not the importer's identity.
        var dataset = JsonNode.Parse(json)!;
        var ca = dataset["commitments"]![0]!["assessments"]!.AsArray().First(a => (string?)a!["member"] == "CA")!;
        Assert.Equal((string?)ca["proposals"]![0]!["by"], await UserOf("score_proposed", "assessment:2024-apulia:19:CA"));
        Assert.Equal((string?)ca["proposals"]![0]!["review"]!["by"], await UserOf("score_approved", "assessment:2024-apulia:19:CA"));

        var events = await App.EventCount();
        var again = await Import(json, stepsPerTransaction: 10);
        Assert.True(again.Succeeded, again.Summary());
        Assert.Equal(0, again.Created);
        Assert.Equal(first.Created, again.AlreadyThere);
        Assert.Equal(events, await App.EventCount());
    }

    [Fact]
    public async Task a_refused_step_is_reported_and_the_rest_of_its_batch_is_saved()
    {
        var dataset = JsonNode.Parse(await File.ReadAllTextAsync(Repo.PathOf("data", "seeds", "2024-apulia.json")))!;
        var assessments = dataset["commitments"]![0]!["assessments"]!.AsArray();
        var ca = assessments.First(a => (string?)a!["member"] == "CA")!;
        // Approved by its own proposer: separation of duties refuses the review, nothing else.
        ca["proposals"]![0]!["review"]!["by"] = (string?)ca["proposals"]![0]!["by"];

        var report = await Import(dataset.ToJsonString(), stepsPerTransaction: DatasetImporter.DefaultStepsPerTransaction);
        var refused = Assert.Single(report.Refused);
        Assert.Equal("commitment:19:CA:proposal:1:approve", refused.Step);
        Assert.Equal(Infrastructure.Outcome.Forbidden, refused.Result.Outcome);

        await using var session = App.Store.QuerySession();
        var model = (await Reporting.AsOf(session, "2024-apulia", ReportKind.Interim, AsOfPoint.Now))!;
        var cells = model.Commitments[0].Cells;
        Assert.Null(cells.Single(c => c.Member.Code == "CA").Score);
        Assert.All(cells.Where(c => c.Member.Code != "CA"), c => Assert.NotNull(c.Score));
    }
}
