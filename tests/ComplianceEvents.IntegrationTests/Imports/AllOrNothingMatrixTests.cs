using System.Text;
using ComplianceEvents.Commitments;
using ComplianceEvents.Commitments.RevisingRubric;
using ComplianceEvents.Imports;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.Integration;
using ComplianceEvents.IntegrationTests.WriteSide;
using ComplianceEvents.Reports.GettingScores;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace ComplianceEvents.IntegrationTests.Imports;

/// <summary>A score matrix is imported all or nothing, quietly, and never overwrites approved scores.</summary>
public sealed class AllOrNothingMatrixTests(AppFixture app) : HostTest(app)
{
    private const string Header = "cycle,commitment,area,text,CA,FR,DE,IT,JP,UK,US,EU\n";

    private async Task<ImportReport> Import(string csv, IServiceProvider? services = null)
    {
        await using var scope = (services ?? App.Factory.Services).CreateAsyncScope();
        return await ScoreMatrixImportTests.Importer(scope.ServiceProvider).Import(csv, "history.csv");
    }

    private async Task ImportSeed()
    {
        await using var scope = App.Factory.Services.CreateAsyncScope();
        var seed = await DatasetImporter.From(scope.ServiceProvider)
            .Import(await File.ReadAllTextAsync(Repo.PathOf("data", "seeds", "2024-apulia.json")));
        Assert.True(seed.Succeeded, seed.Summary());
    }

    /// <summary>Rows 1 to 100 score 2013-lough-erne, 101 to 200 2014-brussels, ...: a cycle numbers at most 100 commitments.</summary>
    private static string Rows(int count, int from = 1) =>
        string.Concat(Enumerable.Range(from, count).Select(i =>
            $"{CycleOfRow(i)},{(i - 1) % 100 + 1},Trade,Commitment {i},1,0,+1,0,-1,1,1,0\n"));

    private static string CycleOfRow(int i) => ((i - 1) / 100) switch { 0 => "2013-lough-erne", 1 => "2014-brussels", _ => "2015-elmau" };

    [Fact]
    public async Task a_row_changing_an_existing_commitments_approved_scores_is_refused_naming_its_line_and_appends_nothing()
    {
        await ImportSeed(); // commitment 19 of 2024-apulia: evidence-backed approvals 0,0,0,0,0,+1,+1,+1
        var events = await App.EventCount();
        var report = await Import(Header + Rows(2).Replace("2013-lough-erne", "2024-apulia")
            + "2024-apulia,19,Migration,Smuggling,0,0,0,0,0,+1,+1,0\n");

        Assert.False(report.Succeeded);
        var error = Assert.Single(report.Errors);
        Assert.StartsWith("line 4: commitment 19 of 2024-apulia exists and the row would change its approved scores (EU +1 -> 0)", error);
        Assert.Equal(events, await App.EventCount());
        await using var session = App.Store.QuerySession();
        Assert.Equal("+0.38 (69%)", (await TableB.Load(session, "2024-apulia"))!.Commitments.Single().Average.DisplayWithPercent);
    }

    [Fact]
    public async Task a_row_identical_to_an_existing_commitments_approved_scores_is_a_no_op()
    {
        await ImportSeed();
        var events = await App.EventCount();
        var report = await Import(Header + "2024-apulia,19,Migration,Smuggling,0,0,0,0,0,+1,+1,+1\n");
        Assert.True(report.Succeeded, report.Summary());
        Assert.Equal((0, 1), (report.Created, report.AlreadyThere));
        Assert.Equal(events, await App.EventCount());
    }

    [Fact]
    public async Task one_refused_line_at_the_end_of_a_long_file_appends_nothing_and_is_one_line_of_the_report()
    {
        // Line 302's area is longer than SelectCommitment allows: its refusal is the report's one line, with no follow-on errors.
        var report = await Import(Header + Rows(300) + $"2016-ise-shima,1,{new string('a', 201)},Commitment 301,1,0,+1,0,-1,1,1,0\n");
        Assert.False(report.Succeeded);
        var error = Assert.Single(report.Errors);
        Assert.StartsWith("line 302: issueArea", error);
        Assert.Equal(0, report.Created);
        Assert.Equal(0, await App.EventCount());

        var whole = await Import(Header + Rows(300));
        Assert.True(whole.Succeeded, whole.Summary());
        await using var session = App.Store.QuerySession();
        foreach (var cycle in new[] { "2013-lough-erne", "2014-brussels", "2015-elmau" })
            Assert.Equal(100, (await TableB.Load(session, cycle))!.Commitments.Count);
    }

    [Fact]
    public async Task an_unknown_member_code_is_refused()
    {
        var report = await Import("cycle,commitment,area,text,CA,XX\n2013-lough-erne,1,Trade,Open markets,1,0\n");
        Assert.StartsWith("line 1: member code \"XX\" is not one of CA, FR", Assert.Single(report.Errors));
        Assert.Equal(0, await App.EventCount());
    }

    [Fact]
    public async Task a_long_text_gets_a_title_cut_at_a_word_within_the_limit_or_the_title_column()
    {
        var text = string.Join(' ', Enumerable.Repeat("We will strengthen our actions to counter smuggling.", 8)); // 423 characters
        var report = await Import("cycle,commitment,area,text,CA\n" + $"2013-lough-erne,1,Trade,{text},1\n");
        Assert.True(report.Succeeded, report.Summary());
        var titled = await Import("cycle,commitment,area,text,title,CA\n" + $"2014-brussels,2,Trade,{text},Countering smuggling,0\n");
        Assert.True(titled.Succeeded, titled.Summary());

        await using var session = App.Store.QuerySession();
        var derived = (await session.LoadAsync<Commitment>(Commitment.StreamKey("2013-lough-erne", "1")))!;
        Assert.True(derived.Title.Length <= ScoreMatrix.TitleLimit, derived.Title);
        Assert.EndsWith("…", derived.Title);
        var kept = derived.Title[..^1];
        Assert.StartsWith(kept, text);
        Assert.False(char.IsLetterOrDigit(text[kept.Length]), $"cut inside a word: {derived.Title}"); // a word boundary
        Assert.Equal(text, derived.Text);
        Assert.Equal("Countering smuggling", (await session.LoadAsync<Commitment>(Commitment.StreamKey("2014-brussels", "2")))!.Title);
    }

    [Fact]
    public async Task a_matrix_import_publishes_no_integration_events()
    {
        var host = IntegrationHost.For(App);
        await host.ResetMessaging();
        var report = await Import(Header + Rows(3), host.Factory.Services);
        Assert.True(report.Succeeded, report.Summary());
        await NothingButTheMarkerWasPublished(host, new ReviseRubric("2013-lough-erne", "1",
            new RubricInput("No action.", "Some action.", "Full action."), "Recorded."), ScoreMatrixImporter.Reviewer, "RubricRevisedV1");
    }

    [Fact]
    public async Task a_dataset_import_publishes_no_integration_events_not_even_for_its_rubric_revisions()
    {
        var host = IntegrationHost.For(App);
        await host.ResetMessaging();
        await using (var scope = host.Factory.Services.CreateAsyncScope())
        {
            var json = (await File.ReadAllTextAsync(Repo.PathOf("data", "seeds", "2024-apulia.json")));
            var report = await DatasetImporter.From(scope.ServiceProvider).Import(json);
            Assert.True(report.Succeeded, report.Summary());
        }
        await NothingButTheMarkerWasPublished(host, World.Evidence("CA", new DateOnly(2024, 7, 12)) with { EvidenceId = "marker" },
            World.Analyst,
            "EvidenceRecordedV1");
    }

    /// <summary>
    /// An ordinary command after the import publishes one event; once it is out, anything the import had published would be
    /// out too (the outbox sends in commit order), so counting then can fail.
    /// </summary>
    private static async Task NothingButTheMarkerWasPublished(IntegrationHost host, object marker, string user, string markerType)
    {
        var sent = await host.Send(marker, user, [Roles.ComplianceDirector]);
        Assert.True(sent.IsAccepted, $"{sent.Outcome} {sent.Rule}: {sent.Message}");
        await IntegrationHost.Eventually(() => host.Outbound(markerType), n => n > 0, $"the {markerType} marker in the outbound queue");
        Assert.Equal(1, await host.Outbound(markerType));
        // A rubric revision as the marker makes the imported approvals stale: the ApprovalWentStaleV1 events that follow
        // (asynchronously) are the marker's, not the import's.
        var causedByMarker = markerType == "RubricRevisedV1" ? "ApprovalWentStaleV1" : null;
        foreach (var type in new[] { "EvidenceRecordedV1", "ScoreProposedV1", "ScoreApprovedV1", "RubricRevisedV1", "ApprovalWentStaleV1" }
                     .Where(t => t != markerType && t != causedByMarker))
            Assert.Equal(0, await host.Outbound(type));
    }
}
