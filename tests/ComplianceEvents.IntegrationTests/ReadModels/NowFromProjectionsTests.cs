using System.Text.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.AmendingEvidence;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.GettingAssessment;
using ComplianceEvents.Cycles;
using ComplianceEvents.Imports;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.WriteSide;
using ComplianceEvents.Reports;
using ComplianceEvents.Reports.AsOf;
using ComplianceEvents.Reports.PublishingReport;
using ComplianceEvents.Reports.Rendering;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.ReadModels;

/// <summary>
/// Issue 20, item 4: the report "now" is read from the inline projections (lean Assessment snapshots and EvidenceText
/// documents), "as of" is folded from the log. Both must give the same state for the same events.
/// </summary>
public sealed class NowFromProjectionsTests(AppFixture app, Xunit.Abstractions.ITestOutputHelper output) : WriteSideTest(app)
{
    private static readonly string[] Members = ["CA", "FR", "DE", "IT", "JP", "UK", "US", "EU"];
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private async Task Import(string file)
    {
        await using var scope = App.Factory.Services.CreateAsyncScope();
        var report = await DatasetImporter.From(scope.ServiceProvider)
            .Import(await File.ReadAllTextAsync(Repo.PathOf("data", "seeds", file)));
        Assert.True(report.Succeeded, report.Summary());
    }

    /// <summary>The cycle now from the projections and from the fold of its whole log, as the same JSON, and each report kind's
    /// model and Markdown from both.</summary>
    private async Task AssertNowIsTheFold(string cycleId)
    {
        await using var session = App.Store.QuerySession();
        var projected = await CycleHistory.Now(App.Store, cycleId);
        var folded = CycleHistory.Fold(await CycleHistory.Load(session, cycleId, AsOfPoint.Now));
        Assert.Equal(State(folded), State(projected));
        foreach (var kind in new ReportKind?[] { null, ReportKind.Interim, ReportKind.Final })
        {
            var (a, b) = (ReportBuilder.Build(folded, kind), ReportBuilder.Build(projected, kind));
            Assert.Equal(JsonSerializer.Serialize(a, Json), JsonSerializer.Serialize(b, Json));
            Assert.Equal(MarkdownRenderer.Render(a), MarkdownRenderer.Render(b));
        }
    }

    /// <summary>The state as JSON; stream versions are Marten's (set on the stored snapshots, not by the fold).</summary>
    private static string State(CycleState s) => JsonSerializer.Serialize(new
    {
        Cycle = s.Cycle is { } c ? c with { Version = 0 } : null,
        Commitments = s.Commitments.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value with { Version = 0 }),
        Assessments = s.Assessments.Values.OrderBy(a => a.Id, StringComparer.Ordinal).Select(a => a with { Version = 0 }),
        Texts = s.Texts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value),
    }, Json);

    [Theory]
    [InlineData("2017-taormina.json", "2017-taormina")]
    [InlineData("2024-apulia.json", "2024-apulia")]
    public async Task now_from_the_projections_is_the_fold_of_the_log_for_a_seed_with_an_edition(string file, string cycleId)
    {
        await Import(file);
        var published = await App.Send(new PublishReport(cycleId, ReportKind.Interim), "chair", [Roles.Editor]);
        Assert.True(published.IsAccepted, published.Message);
        await AssertNowIsTheFold(cycleId);

        await using var session = App.Store.QuerySession();
        var now = await CycleHistory.StateAt(session, cycleId, AsOfPoint.Now);
        Assert.Equal(1, Assert.Single(now.Cycle!.Editions).Edition);
        Assert.NotEmpty(now.Texts);
        Assert.Equal(now.Assessments.Values.Sum(a => a.Evidence.Count), now.Texts.Count);
    }

    /// <summary>B2: an earlier point is folded from the rows as they are read (stream and data only); it must be the fold of the
    /// full events Marten materialises, at every sequence and time tried, and a cycle whose id holds LIKE's wildcards is its own.</summary>
    [Fact]
    public async Task the_lean_fold_of_an_earlier_point_is_the_fold_of_the_full_events()
    {
        await Import("2024-apulia.json");
        await Import("2017-taormina.json");
        await using var session = App.Store.QuerySession();
        var all = await CycleHistory.Load(session, "2024-apulia", AsOfPoint.Now);
        var points = new List<AsOfPoint>();
        for (var i = 0; i < all.Count; i += Math.Max(1, all.Count / 7)) points.Add(new AsOfPoint(all[i].Sequence));
        points.Add(new AsOfPoint(all[^1].Sequence));
        points.Add(new AsOfPoint(Time: all[all.Count / 2].Timestamp));
        points.Add(new AsOfPoint(all[^1].Sequence, all[all.Count / 3].Timestamp));
        foreach (var point in points)
        {
            var full = CycleHistory.Fold(await CycleHistory.Load(session, "2024-apulia", point));
            var lean = await CycleHistory.FoldAt(App.Store, "2024-apulia", point);
            Assert.Equal(State(full), State(lean));
        }
        Assert.Null((await CycleHistory.FoldAt(App.Store, "2024_apulia", new AsOfPoint(all[^1].Sequence))).Cycle);
        Assert.Empty((await CycleHistory.FoldAt(App.Store, "20%", new AsOfPoint(all[^1].Sequence))).Assessments);
    }

    [Fact]
    public async Task the_largest_seed_cell_snapshot_holds_no_evidence_text()
    {
        await Import("2024-apulia.json");
        await using var conn = App.Store.Storage.Database.CreateConnection();
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select id, length(data::text) from compliance.mt_doc_assessment " +
            "order by length(data::text) desc limit 1", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var (id, size) = (reader.GetString(0), reader.GetInt32(1));
        await reader.CloseAsync();

        await using var session = App.Store.QuerySession();
        var cell = (await session.LoadAsync<Assessment>(id))!;
        var texts = await session.Query<EvidenceText>().Where(t => t.StreamKey == id).ToListAsync();
        Assert.Equal(cell.Evidence.Count, texts.Count);
        // Every summary is out of the snapshot; what is left is a fraction of the text the cell holds.
        Assert.All(texts, t => Assert.DoesNotContain(JsonSerializer.Serialize(t.Summary).Trim('"'), SnapshotJson(cell)));
        var text = cell.Evidence.Sum(e => e.Characters);
        output.WriteLine($"{id}: {size} characters of JSON for {cell.Evidence.Count} items holding {text} characters of text");
        Assert.True(size * 2 < text, $"{id}: {size} characters of JSON for {cell.Evidence.Count} items holding {text} of text");
    }

    private static string SnapshotJson(Assessment a) => JsonSerializer.Serialize(a);

    [Fact]
    public async Task the_cell_get_returns_each_evidence_item_with_its_latest_text()
    {
        await World.Build();
        await World.ApprovedCell();
        await World.Expect(World.AsAnalyst(World.Evidence("CA", new DateOnly(2024, 8, 1))));
        var amended = new AmendEvidence(World.Cycle, World.C19, "CA", "e1", new DateOnly(2024, 7, 13), "Corrected summary.",
            [World.Cbcf with { Title = "Corrected title" }], "Typo.", ["prevent"], Strength.Weak);
        await World.Expect(World.AsAnalyst(amended));
        await World.Expect(World.AsAnalyst(new Assessments.WithdrawingEvidence.WithdrawEvidence(World.Cycle, World.C19, "CA", "e2",
            "Duplicate.")));

        await using var session = App.Store.QuerySession();
        var view = (await GetAssessmentQuery.Load(session, World.Cycle, World.C19, "CA", default))!;
        Assert.Equal(["e1", "e2"], view.Evidence.Select(e => e.EvidenceId));
        var e1 = view.Evidence[0];
        Assert.Equal(("Corrected summary.", "Corrected title", 2, new DateOnly(2024, 7, 13)),
            (e1.Summary, e1.Citations[0].Title, e1.Revision, e1.ActionDate));
        Assert.True(view.Evidence[1] is { Withdrawn: true, Summary: "On 1 August 2024, the government acted." });
        Assert.Equal(["evidence-amended: e1"], view.StaleReasons);
    }

    /// <summary>
    /// Overlapping writers on different cells of one cycle (recording, amending, proposing) while reports are read: every report
    /// read meanwhile shows each item's text with its own facts (one snapshot), and afterwards now equals the fold.
    /// </summary>
    [Fact]
    public async Task concurrent_writers_on_the_cells_of_one_cycle_leave_now_equal_to_the_fold_and_reads_consistent()
    {
        await World.Build();
        foreach (var m in Members) await World.Expect(World.AsAnalyst(World.Evidence(m, new DateOnly(2024, 7, 12))));
        using var stop = new CancellationTokenSource();
        var reads = 0;

        var writers = Members.Select((m, w) => Task.Run(async () =>
        {
            for (var i = 1; i <= 6; i++)
            {
                // The summary names the revision it makes, so a reader can tell text and facts of different moments apart.
                var amend = new AmendEvidence(World.Cycle, World.C19, m, "e1", new DateOnly(2024, 7, 12), $"Revision {i + 1} of {m}.",
                    [World.Cbcf], "Refined.", ["prevent"], Strength.Strong);
                await World.Expect(World.AsAnalyst(amend, w % 2 == 0 ? World.Analyst : World.OtherAnalyst));
                await World.Expect(World.AsAnalyst(World.Evidence(m, new DateOnly(2024, 8, i))));
            }
            var proposal = await World.Expect(World.AsAnalyst(World.Proposal(m, w % 3 - 1, "e1", "e2")));
            await World.Expect(World.AsLead(new ApproveScore(World.Cycle, World.C19, m, proposal.ResourceId!)));
        })).ToList();

        var reader = Task.Run(async () =>
        {
            do
            {
                await using var session = App.Store.QuerySession();
                var model = (await Reporting.AsOf(session, World.Cycle, null, AsOfPoint.Now))!;
                foreach (var cell in model.Commitments.SelectMany(c => c.Cells))
                foreach (var e in cell.Evidence.Where(e => e.EvidenceId == "e1" && e.Revision > 1))
                    Assert.Equal($"Revision {e.Revision} of {cell.Member.Code}.", e.Summary);
                reads++;
            } while (!stop.IsCancellationRequested);
        });

        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await reader;
        Assert.True(reads > 0);
        await AssertNowIsTheFold(World.Cycle);
        var now = await CycleHistory.Now(App.Store, World.Cycle);
        Assert.All(Members, m => Assert.Equal(7, now.Assessments[(World.C19, m)].Evidence.Count));
        Assert.All(Members, m => Assert.Equal(7, now.Assessments[(World.C19, m)].FindEvidence("e1")!.Revision));
    }

    [Fact]
    public async Task a_database_with_read_models_of_the_old_shape_is_rebuilt_before_it_is_read()
    {
        await World.Build();
        await World.ApprovedCell();
        var key = Assessment.StreamKey(World.Cycle, World.C19, "CA");
        await using var before = App.Store.QuerySession();
        var expected = MarkdownRenderer.Render((await Reporting.AsOf(before, World.Cycle, ReportKind.Interim, AsOfPoint.Now))!);

        // As today's main left it: no version marker, no text documents, and the fat snapshot (its items without a count).
        await App.Store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(EvidenceText));
        await App.Store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(ReadModelVersion));
        await using (var conn = App.Store.Storage.Database.CreateConnection())
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("update compliance.mt_doc_assessment set data = jsonb_set(data, '{Evidence,0}', " +
                "((data #> '{Evidence,0}') - 'Characters') || '{\"Summary\": \"old\", \"Citations\": []}') where id = @id", conn);
            cmd.Parameters.AddWithValue("id", key);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        var log = App.Factory.Services.GetRequiredService<ILogger<ReadModelUpgrade>>();
        Assert.True(await ReadModelUpgrade.Run(App.Store, log, default));
        Assert.False(await ReadModelUpgrade.Run(App.Store, log, default));

        await using var after = App.Store.QuerySession();
        Assert.Equal(expected, MarkdownRenderer.Render((await Reporting.AsOf(after, World.Cycle, ReportKind.Interim, AsOfPoint.Now))!));
        Assert.True((await after.LoadAsync<Assessment>(key))!.Evidence[0].Characters > 0);
        Assert.Equal(ReadModelVersion.Current, (await after.LoadAsync<ReadModelVersion>(ReadModelVersion.Key))!.Version);
    }

    [Fact]
    public async Task a_database_without_the_marker_but_of_the_current_shape_only_gets_the_marker()
    {
        var log = App.Factory.Services.GetRequiredService<ILogger<ReadModelUpgrade>>();
        await App.Store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(ReadModelVersion));
        Assert.False(await ReadModelUpgrade.Run(App.Store, log, default)); // empty
        await World.Build();
        await World.ApprovedCell();
        await App.Store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(ReadModelVersion));
        Assert.False(await ReadModelUpgrade.Run(App.Store, log, default)); // lean snapshots, as the current code writes them
        await using var session = App.Store.QuerySession();
        Assert.Equal(ReadModelVersion.Current, (await session.LoadAsync<ReadModelVersion>(ReadModelVersion.Key))!.Version);
    }
}
