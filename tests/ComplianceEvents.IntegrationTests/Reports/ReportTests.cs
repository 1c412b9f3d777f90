using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Commitments;
using ComplianceEvents.Commitments.RevisingRubric;
using ComplianceEvents.Cycles;
using ComplianceEvents.Cycles.SettingReportWindow;
using ComplianceEvents.Imports;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports;
using ComplianceEvents.Reports.AsOf;
using ComplianceEvents.Reports.Auditing;
using ComplianceEvents.Reports.PublishingReport;
using ComplianceEvents.Reports.Rendering;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace ComplianceEvents.IntegrationTests.Reports;

public sealed class ReportTests(AppFixture app) : HostTest(app)
{
    private const string Apulia = "2024-apulia";
    private const string Editor = "chair";

    private async Task Import(string file)
    {
        await using var scope = App.Factory.Services.CreateAsyncScope();
        var report = await DatasetImporter.From(scope.ServiceProvider)
            .Import(await File.ReadAllTextAsync(Repo.PathOf("data", "seeds", file)));
        Assert.True(report.Succeeded, report.Summary());
    }

    private async Task<ReportModel> Model(string cycle, ReportKind? kind, AsOfPoint? point = null)
    {
        await using var session = App.Store.QuerySession();
        return (await Reporting.AsOf(session, cycle, kind, point ?? AsOfPoint.Now))!;
    }

    [Theory]
    [InlineData("2024-apulia", "+0.38 (69%)")]
    [InlineData("2017-taormina", "+0.50 (75%)")]
    public async Task the_seed_chapters_render_in_the_seeds_layout(string cycle, string average)
    {
        await Import($"{cycle}.json");
        var model = await Model(cycle, ReportKind.Interim);
        Assert.Equal(average, Assert.Single(model.Commitments).Average.DisplayWithPercent);
        Assert.Equal(average, model.Overall.DisplayWithPercent);
        Golden.Verify($"{cycle}-interim", MarkdownRenderer.Render(model), "md");
    }

    [Fact]
    public async Task evidence_outside_the_window_is_left_out_of_the_interim_report_but_not_out_of_the_unwindowed_one()
    {
        await Import("2024-apulia.json");
        var eu = (await Model(Apulia, ReportKind.Interim)).Commitments[0].Cells.Single(c => c.Member.Code == "EU");
        Assert.Equal(1, eu.IneligibleEvidence);
        Assert.DoesNotContain(eu.Evidence, e => e.ActionDate == new DateOnly(2024, 6, 13));
        var all = (await Model(Apulia, null)).Commitments[0].Cells.Single(c => c.Member.Code == "EU");
        Assert.Contains(all.Evidence, e => e.ActionDate == new DateOnly(2024, 6, 13));
    }

    [Fact]
    public async Task the_report_as_of_an_earlier_sequence_or_time_shows_what_was_known_then()
    {
        await Import("2024-apulia.json");
        await using var session = App.Store.QuerySession();
        var events = await CycleHistory.Load(session, Apulia, AsOfPoint.Now);
        var firstApproval = events.First(e => e.Data is ScoreApproved);
        var before = await Model(Apulia, ReportKind.Interim, new AsOfPoint(firstApproval.Sequence - 1));
        var after = await Model(Apulia, ReportKind.Interim, new AsOfPoint(firstApproval.Sequence));
        Assert.Equal("N/A", before.Overall.DisplayWithPercent);
        Assert.Single(after.Commitments[0].Scored);
        // The import is one transaction, recorded at one instant: as of that time all of it was known, a moment before none.
        Assert.All(events, e => Assert.Equal(firstApproval.Timestamp, e.Timestamp));
        var byTime = await Model(Apulia, ReportKind.Interim, new AsOfPoint(Time: firstApproval.Timestamp));
        Assert.Equal(MarkdownRenderer.Render(await Model(Apulia, ReportKind.Interim, AsOfPoint.Now)), MarkdownRenderer.Render(byTime));
        Assert.Null(await Reporting.AsOf(session, Apulia, ReportKind.Interim, new AsOfPoint(Time: firstApproval.Timestamp.AddTicks(-10))));
    }

    [Fact]
    public async Task a_published_edition_regenerates_byte_identical_after_a_thousand_events_and_a_rebuild()
    {
        await Import("2024-apulia.json");
        var published = await App.Send(new PublishReport(Apulia, ReportKind.Interim), Editor, [Roles.Editor]);
        Assert.True(published.IsAccepted, published.Message);
        await using var s0 = App.Store.QuerySession();
        var edition = (await s0.LoadAsync<Cycle>(Cycle.StreamKey(Apulia)))!.FindEdition(ReportKind.Interim, 1)!;
        var original = MarkdownRenderer.Render((await Reporting.Edition(s0, Apulia, ReportKind.Interim, 1))!.Value.Model);
        Assert.Equal(edition.ContentHash, Reporting.Digest(original));

        await AppendThousandEvents();
        await App.Store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(Assessment)); // lose the projections, then rebuild them from the events
        using (var daemon = await App.Store.BuildProjectionDaemonAsync())
        {
            await daemon.RebuildProjectionAsync(typeof(Assessment), CancellationToken.None);
            await daemon.RebuildProjectionAsync(typeof(Commitment), CancellationToken.None);
            await daemon.RebuildProjectionAsync(typeof(Cycle), CancellationToken.None);
        }

        await using var session = App.Store.QuerySession();
        var regenerated = MarkdownRenderer.Render((await Reporting.Edition(session, Apulia, ReportKind.Interim, 1))!.Value.Model);
        Assert.Equal(original, regenerated);
        var verification = await Reporting.Verify(session, Apulia, ReportKind.Interim, 1);
        Assert.True(verification!.Identical);
        Assert.NotEqual(original, MarkdownRenderer.Render((await Reporting.AsOf(session, Apulia, ReportKind.Interim, AsOfPoint.Now))!));
        Assert.Equal(1, (await session.LoadAsync<Assessment>(Assessment.StreamKey(Apulia, "19", "CA")))!.Approved!.Score);

        var cycle = (await session.LoadAsync<Cycle>(Cycle.StreamKey(Apulia)))!;
        var events = await Explaining.CycleEvents(session, Apulia, default);
        var clock = Explaining.FromLog(session, Apulia, default);
        var cell = new CellStreams(Apulia, "19", "CA");
        var why = Explaining.Explain(await cell.Read(session, withCycle: true, default), cell,
            (await Explaining.Resolve(cycle, clock, "edition:1", ReportKind.Interim))!,
            (await Explaining.Resolve(cycle, clock, "final", null))!);
        Assert.Equal(("0", "+1"), (why.Before, why.After));
        var kinds = why.Causes.Select(c => c.Kind).ToHashSet();
        Assert.Superset(new HashSet<string> { "evidence-recorded", "score-proposed", "score-approved", "rubric-revised", "evidence-entered-window" }, kinds);
        Assert.Contains(why.Causes, c => c.Kind == "rubric-revised" && c.What.Contains("version 2 -> 3"));

        var (changes, problem) = await Explaining.CompareInterimFinal(cycle, events);
        Assert.Null(problem);
        Assert.Equal("CA", Assert.Single(changes).Member);
    }

    /// <summary>New evidence after the interim cutoff for every member, a re-scored cell and a rubric revision: 1,000+ events.</summary>
    private async Task AppendThousandEvents()
    {
        var director = new[] { Roles.ComplianceDirector };
        Assert.True((await App.Send(new SetReportWindow(Apulia, ReportKind.Final, new(2024, 6, 15), new(2025, 5, 31)), "Michal Gromek", director)).IsAccepted);
        var citation = new Citation("Later action", "Ministry", "Capital", "2025-02-01", new DateOnly(2025, 3, 1), "https://example.org/later");
        string[] members = ["CA", "FR", "DE", "IT", "JP", "UK", "US", "EU"];
        var sent = 0;
        for (var i = 0; sent < 1000; i++)
            foreach (var m in members)
            {
                var r = await App.Send(new RecordEvidence(Apulia, "19", m, new DateOnly(2025, 1, 1).AddDays(i % 120), $"On a later day, action {i} by {m}.",
                    [citation], ["counter"], Strength.Strong), "TianTian Dong", [Roles.Analyst]);
                Assert.True(r.IsAccepted, r.Message);
                sent++;
            }
        var proposed = await App.Send(new ProposeScore(Apulia, "19", "CA", 1, "Strong action in all four dimensions by the final cutoff.", [], 1), "TianTian Dong", [Roles.Analyst]);
        Assert.True(proposed.IsAccepted, proposed.Message);
        Assert.True((await App.Send(new ApproveScore(Apulia, "19", "CA", proposed.ResourceId!), "Anali Arambula Galindo", [Roles.LeadAnalyst])).IsAccepted);
        var rubric = new RubricInput("No action.", "Some action.", "Full action.");
        Assert.True((await App.Send(new ReviseRubric(Apulia, "19", rubric, "Simplified for the final report"), "Michal Gromek", director)).IsAccepted);
    }

    [Fact]
    public async Task the_rubric_revision_of_the_seed_makes_every_approval_stale_without_rescoring()
    {
        await Import("2024-apulia.json");
        await using var session = App.Store.QuerySession();
        var stale = await StaleApprovals.Of(session, Apulia, default);
        Assert.Equal(8, stale.Count);
        Assert.All(stale, s => Assert.Contains("rubric-revised: approved under version 1, current version 2", s.Reasons));
        Assert.Equal("+0.38 (69%)", (await Model(Apulia, ReportKind.Interim)).Overall.DisplayWithPercent);
    }

    [Fact]
    public async Task the_audit_trail_says_who_did_what_and_why()
    {
        await Import("2024-apulia.json");
        await using var session = App.Store.QuerySession();
        var trail = await AuditTrail.Of(session, new CellStreams(Apulia, "19", "JP"), default);
        Assert.Equal(["commitment-selected", "rubric-published"], trail.Take(2).Select(e => e.Kind));
        var approval = trail.Single(e => e.Kind == "score-approved");
        Assert.Equal("Michal Gromek", approval.By);
        Assert.Equal(1, approval.RubricVersion);
        var proposal = trail.Single(e => e.Kind == "score-proposed");
        Assert.Equal("Anali Arambula Galindo", proposal.By);
        Assert.Contains("rubric suggests -1", proposal.What);
        Assert.Equal("rubric-revised", trail[^1].Kind);
        Assert.True(trail.Zip(trail.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
    }

    [Fact]
    public async Task csv_and_json_render_table_b_and_the_exact_averages()
    {
        await Import("2024-apulia.json");
        var model = await Model(Apulia, ReportKind.Interim);
        var csv = CsvRenderer.Render(model).Split('\n');
        Assert.Equal("commitment,title,CA,FR,DE,IT,JP,UK,US,EU,average,percent", csv[0]);
        Assert.Equal("19,Migration and Refugees: Preventing Migrant Smuggling and Trafficking,0,0,0,0,0,+1,+1,+1,+0.38,69", csv[1]);
        Assert.Equal("overall,,0.00,0.00,0.00,0.00,0.00,+1.00,+1.00,+1.00,+0.38,69", csv[2]);
        var json = System.Text.Json.JsonDocument.Parse(JsonRenderer.Render(model)).RootElement;
        Assert.Equal(3, json.GetProperty("overall").GetProperty("sum").GetInt32());
        Assert.Equal(8, json.GetProperty("overall").GetProperty("count").GetInt32());
        Assert.Equal("+0.38", json.GetProperty("overall").GetProperty("display").GetString());
    }
}
