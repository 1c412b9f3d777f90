using System.Text.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.Imports;
using ComplianceEvents.Reports.GettingScores;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace ComplianceEvents.IntegrationTests.Imports;

public sealed class SeedImportTests(AppFixture app) : HostTest(app)
{
    private async Task<ImportReport> ImportDataset(string file)
    {
        await using var scope = App.Factory.Services.CreateAsyncScope();
        var report = await DatasetImporter.From(scope.ServiceProvider)
            .Import(await File.ReadAllTextAsync(Repo.PathOf("data", "seeds", file)));
        Assert.True(report.Succeeded, report.Summary());
        return report;
    }

    private async Task<ComplianceEvents.Reports.ReportModel> Scores(string cycle)
    {
        await using var session = App.Store.QuerySession();
        return (await TableB.Load(session, cycle))!;
    }

    [Fact]
    public async Task the_2024_apulia_chapter_reproduces_its_assessment_table_and_average()
    {
        await ImportDataset("2024-apulia.json");
        var c19 = Assert.Single((await Scores("2024-apulia")).Commitments);
        Assert.Equal(19, c19.Number);
        Assert.Equal(["0", "0", "0", "0", "0", "+1", "+1", "+1"], c19.Cells.Select(c => c.Display));
        Assert.Equal("+0.38 (69%)", c19.Average.DisplayWithPercent);
    }

    [Fact]
    public async Task the_2017_taormina_chapter_reproduces_its_assessment_table_and_average()
    {
        await ImportDataset("2017-taormina.json");
        var c5 = Assert.Single((await Scores("2017-taormina")).Commitments);
        Assert.Equal(["0", "+1", "+1", "0", "0", "+1", "0", "+1"], c5.Cells.Select(c => c.Display));
        Assert.Equal("+0.50", c5.Average.Display);
    }

    [Theory]
    [InlineData("2024-apulia", "19")]
    [InlineData("2017-taormina", "5")]
    public async Task every_dated_action_of_each_member_section_is_one_evidence_item(string cycle, string commitment)
    {
        // Counted by hand from each member section of the seed chapter (data/seeds/expected-evidence-counts.json).
        var expected = JsonDocument.Parse(await File.ReadAllTextAsync(Repo.PathOf("data", "seeds", "expected-evidence-counts.json")))
            .RootElement.GetProperty(cycle).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        await ImportDataset($"{cycle}.json");

        await using var session = App.Store.QuerySession();
        var actual = (await session.Query<Assessment>().Where(a => a.CycleId == cycle && a.CommitmentId == commitment).ToListAsync())
            .ToDictionary(a => a.MemberCode, a => a.Evidence.Count);
        Assert.Equal(expected.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
    }

    [Fact]
    public async Task the_eu_action_of_13_june_2024_is_recorded_and_flagged_outside_the_window()
    {
        var report = await ImportDataset("2024-apulia.json");
        Assert.Contains(report.Flags, f => f.Step.EndsWith("evidence:eu-2024-06-13") && f.Flag.StartsWith("outside-window:interim"));
        await using var session = App.Store.QuerySession();
        var eu = await session.LoadAsync<Assessment>(Assessment.StreamKey("2024-apulia", "19", "EU"));
        var item = eu!.Evidence.Single(e => e.ActionDate == new DateOnly(2024, 6, 13));
        Assert.Contains(item.Flags, f => f.StartsWith("outside-window:interim"));
    }

    [Fact]
    public async Task importing_the_same_file_twice_changes_nothing_the_second_time()
    {
        var first = await ImportDataset("2024-apulia.json");
        var events = await App.EventCount();
        var second = await ImportDataset("2024-apulia.json");
        Assert.Equal(events, await App.EventCount());
        Assert.Equal(0, second.Created);
        Assert.Equal(first.Created, second.AlreadyThere);
    }

    [Fact]
    public async Task the_rubric_revision_after_approval_leaves_scores_standing_but_stale()
    {
        await ImportDataset("2024-apulia.json");
        var c19 = Assert.Single((await Scores("2024-apulia")).Commitments);
        Assert.Equal("+0.38 (69%)", c19.Average.DisplayWithPercent);
        await using var session = App.Store.QuerySession();
        var cells = await session.Query<Assessment>().Where(a => a.CycleId == "2024-apulia").ToListAsync();
        Assert.All(cells, a => Assert.Equal(1, a.Approved!.RubricVersion));
    }

    [Fact]
    public async Task a_malformed_dataset_is_refused_with_the_line_and_nothing_is_imported()
    {
        await using var scope = App.Factory.Services.CreateAsyncScope();
        var importer = DatasetImporter.From(scope.ServiceProvider);
        var report = await importer.Import("{\n  \"format\": \"compliance-events/cycle@1\",\n  \"cycle\": { \"id\": \"x\", \"summitStart\": \"not a date\" }\n}");
        Assert.False(report.Succeeded);
        Assert.Contains("cycle.summitStart (format): 'cycle.summitStart' must be a date as yyyy-MM-dd.", report.Errors);
        Assert.Contains("cycle.members (required): 'members' is required.", report.Errors);
        var truncated = await importer.Import("{\n  \"format\": \"compliance-events/cycle@1\",\n  \"cycle\": { \"id\": \"x\",\n");
        Assert.StartsWith("line 4, position 1:", Assert.Single(truncated.Errors));
        Assert.Equal(0, await App.EventCount());
    }
}
