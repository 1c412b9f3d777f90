using System.Net;
using System.Text.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.WriteSide;
using ComplianceEvents.Reports.PublishingReport;

namespace ComplianceEvents.IntegrationTests.Reports;

/// <summary>DESIGN 1.2 rule 11 end to end: the interim report, `scores --kind`, editions and explain count only scores whose evidence is in
/// the window.</summary>
public sealed class WindowScoreTests(AppFixture app) : WriteSideTest(app)
{
    [Fact]
    public async Task an_approval_resting_on_evidence_after_the_interim_cutoff_does_not_count_in_the_interim_report()
    {
        await World.Build();
        await World.ApprovedCell("CA");                                       // e1 (12 July 2024), p1 = 0
        await World.Expect(World.AsAnalyst(World.Evidence("CA", new DateOnly(2025, 1, 10))));   // e2, after the interim cutoff
        await World.Expect(World.AsAnalyst(World.Proposal("CA", 1, "e1", "e2")));
        await World.Expect(World.AsLead(new ApproveScore(World.Cycle, World.C19, "CA", "p2")));
        await World.Expect(World.AsAnalyst(World.Evidence("FR", new DateOnly(2025, 2, 1))));    // only evidence after the cutoff
        await World.Expect(World.AsAnalyst(World.Proposal("FR", 1, "e1")));
        await World.Expect(World.AsLead(new ApproveScore(World.Cycle, World.C19, "FR", "p1")));

        var reader = App.Client("reader", Roles.Analyst);
        var md = await reader.GetStringAsync($"/cycles/{World.Cycle}/report?kind=interim");
        Assert.Contains("### Canada: 0\n", md);
        Assert.Contains("rests on evidence outside the interim window 2024-06-15..2024-12-20: e2 (2025-01-10); shown: the earlier " +
            "approval 0 (p1)", md);
        Assert.Contains("### France: not yet scored\n", md);
        Assert.Contains("no earlier approval rests only on evidence in the window", md);
        Assert.Contains("| 19. Migration and Refugees: Preventing Migrant Smuggling and Trafficking | 0 |  |", md);

        using (var interim = JsonDocument.Parse(await reader.GetStringAsync($"/cycles/{World.Cycle}/scores?kind=interim")))
        using (var now = JsonDocument.Parse(await reader.GetStringAsync($"/cycles/{World.Cycle}/scores")))
        {
            string Cell(JsonDocument d, int i)
                => d.RootElement.GetProperty("commitments")[0].GetProperty("cells")[i].GetProperty("display").GetString()!;
            Assert.Equal(("0", ""), (Cell(interim, 0), Cell(interim, 1)));
            Assert.Equal(("+1", "+1"), (Cell(now, 0), Cell(now, 1)));
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await reader.GetAsync($"/cycles/{World.Cycle}/scores?kind=midterm")).StatusCode);

        // The edition counts the same way, and explain between the interim edition and now (no window) names the change.
        Assert.True((await App.Send(new PublishReport(World.Cycle, ReportKind.Interim), "chair", [Roles.Editor])).IsAccepted);
        var edition = await reader.GetStringAsync($"/cycles/{World.Cycle}/report?kind=interim&edition=1");
        Assert.Contains("### Canada: 0\n", edition);
        var last = await LastSequence();
        using var explained = JsonDocument.Parse(await reader.GetStringAsync(
            $"/cycles/{World.Cycle}/commitments/{World.C19}/assessments/CA/explanation?from=interim:1&to={last}"));
        Assert.Equal(("0", "+1"), (explained.RootElement.GetProperty("before").GetString(),
            explained.RootElement.GetProperty("after").GetString()));

        var cli = await new Imports.Cli(App).Run("scores", World.Cycle, "--kind", "interim");
        Assert.True(cli.Exit == 0, cli.Err);
        Assert.Matches(@"Canada\s+0\n", cli.Out);
    }

    private async Task<long> LastSequence()
    {
        await using var conn = new Npgsql.NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("select max(seq_id) from compliance.mt_events", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
