using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Imports;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports;
using ComplianceEvents.Reports.PublishingReport;
using ComplianceEvents.Reports.GettingScores;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;

namespace ComplianceEvents.IntegrationTests.Reports;

public sealed class ProjectionAndEditionTests(AppFixture app) : HostTest(app)
{
    private const string Apulia = "2024-apulia";

    private async Task ImportBoth()
    {
        await using var scope = App.Factory.Services.CreateAsyncScope();
        var importer = DatasetImporter.From(scope.ServiceProvider);
        foreach (var file in new[] { "2024-apulia.json", "2017-taormina.json" })
            Assert.True((await importer.Import(await File.ReadAllTextAsync(Repo.PathOf("data", "seeds", file)))).Succeeded);
    }

    private async Task<string> Documents()
    {
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        var dump = new List<string>();
        foreach (var table in new[] { "mt_doc_cycle", "mt_doc_commitment", "mt_doc_assessment", "mt_doc_cellscore" })
        {
            await using var cmd = new NpgsqlCommand($"select id, data::text from compliance.{table} order by id", conn);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) dump.Add($"{table} {reader.GetString(0)} {reader.GetString(1)}");
        }
        return string.Join("\n", dump);
    }

    [Fact]
    public async Task rebuilding_every_projection_from_the_events_gives_identical_documents()
    {
        await ImportBoth();
        var before = await Documents();
        Assert.Contains("mt_doc_cellscore assessment:2024-apulia:19:CA", before);

        foreach (var type in new[] { typeof(Cycle), typeof(Commitment), typeof(Assessment), typeof(CellScore) })
            await App.Store.Advanced.Clean.DeleteDocumentsByTypeAsync(type);
        Assert.Equal("", await Documents());
        using (var daemon = await App.Store.BuildProjectionDaemonAsync())
        {
            await daemon.RebuildProjectionAsync(typeof(Cycle), CancellationToken.None);
            await daemon.RebuildProjectionAsync(typeof(Commitment), CancellationToken.None);
            await daemon.RebuildProjectionAsync(typeof(Assessment), CancellationToken.None);
            await daemon.RebuildProjectionAsync(typeof(CellScore), CancellationToken.None);
        }
        Assert.Equal(before, await Documents());
    }

    [Fact]
    public async Task a_correction_is_the_next_edition_with_a_reason_and_the_earlier_edition_stays_retrievable()
    {
        await ImportBoth();
        var publish = new PublishReport(Apulia, ReportKind.Interim);
        Assert.Equal("role-required", (await App.Send(publish, "ann", [Roles.Analyst])).Rule);
        Assert.Equal("no-window", (await App.Send(publish with { Kind = ReportKind.Final }, "chair", [Roles.Editor])).Rule);
        var first = await App.Send(publish, "chair", [Roles.Editor]);
        Assert.Equal("interim:1", first.ResourceId);
        var count = await App.EventCount();
        Assert.Equal("reason-required", (await App.Send(publish, "chair", [Roles.Editor])).Rule);
        Assert.Equal(count, await App.EventCount());

        var second = await App.Send(publish with { Reason = "Corrected the EU section's citations" }, "chair", [Roles.Editor]);
        Assert.Equal("interim:2", second.ResourceId);

        await using var session = App.Store.QuerySession();
        var one = (await Reporting.Edition(session, Apulia, ReportKind.Interim, 1))!.Value;
        var two = (await Reporting.Edition(session, Apulia, ReportKind.Interim, 2))!.Value;
        Assert.Equal((1, (string?)null), (one.Model.Edition, one.Model.EditionReason));
        Assert.Equal("Corrected the EU section's citations", two.Edition.Reason);
        Assert.True((await Reporting.Verify(session, Apulia, ReportKind.Interim, 1))!.Identical);
        Assert.True((await Reporting.Verify(session, Apulia, ReportKind.Interim, 2))!.Identical);
        Assert.NotEqual(one.Edition.ContentHash, two.Edition.ContentHash);
        Assert.Null(await Reporting.Edition(session, Apulia, ReportKind.Interim, 3));
    }
}
