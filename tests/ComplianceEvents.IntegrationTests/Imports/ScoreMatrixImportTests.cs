using ComplianceEvents.Imports;
using ComplianceEvents.Reports.GettingScores;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceEvents.IntegrationTests.Imports;

public sealed class ScoreMatrixImportTests(AppFixture app) : HostTest(app)
{
    private const string Header = "cycle,commitment,area,text,CA,FR,DE,IT,JP,UK,US,EU,RU\n";

    private async Task<ImportReport> Import(string csv)
    {
        await using var scope = App.Factory.Services.CreateAsyncScope();
        return await Importer(scope.ServiceProvider).Import(csv, "history.csv");
    }

    public static ScoreMatrixImporter Importer(IServiceProvider services) =>
        ScoreMatrixImporter.From(services);

    [Fact]
    public async Task historical_rows_become_commitments_with_approved_scores_and_na_cells()
    {
        var report = await Import(Header
            + "2013-lough-erne,1,Trade,\"Trade, open markets\",1,0,+1,0,-1,1,1,0,0\n"
            + "2013-lough-erne,2,Health,Polio eradication,1,1,,0,0,1,1,,-1\n"
            + "2017-taormina,5,Gender,Human Trafficking and Exploitation,0,+1,+1,0,0,+1,0,+1,\n");
        Assert.True(report.Succeeded, report.Summary());

        await using var session = App.Store.QuerySession();
        var lough = (await TableB.Load(session, "2013-lough-erne"))!;
        Assert.Equal(9, lough.Members.Count);             // Russia is the ninth member of that cycle
        Assert.Equal("Trade, open markets", lough.Commitments[0].Title);
        Assert.Equal(["+1", "+1", "N/A", "0", "0", "+1", "+1", "N/A", "-1"], lough.Commitments[1].Cells.Select(c => c.Display));
        Assert.Equal("+0.43 (71%)", lough.Commitments[1].Average.DisplayWithPercent); // 3/7, N/A out of the denominator
        Assert.Equal(8, (await TableB.Load(session, "2017-taormina"))!.Members.Count); // no RU score in 2017
        Assert.Equal("+0.50", (await TableB.Load(session, "2017-taormina"))!.Commitments[0].Average.Display);
    }

    [Fact]
    public async Task a_bad_cell_refuses_the_whole_file_with_its_line_number()
    {
        var report = await Import(Header
            + "2013-lough-erne,1,Trade,Open markets,1,0,+1,0,-1,1,1,0,0\n"
            + "2013-lough-erne,2,Health,Polio,1,1,,0,0,2,1,,-1\n");
        Assert.False(report.Succeeded);
        Assert.Contains(report.Errors, e => e.StartsWith("line 3: UK = \"2\""));
        Assert.Equal(0, await App.EventCount());
    }

    [Fact]
    public async Task importing_a_matrix_twice_changes_nothing()
    {
        const string csv = Header + "2013-lough-erne,1,Trade,Open markets,1,0,+1,0,-1,1,1,0,0\n";
        Assert.True((await Import(csv)).Succeeded);
        var events = await App.EventCount();
        var again = await Import(csv);
        Assert.True(again.Succeeded, again.Summary());
        Assert.Equal(events, await App.EventCount());
    }
}
