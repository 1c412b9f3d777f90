using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments.RenumberingCommitment;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.IntegrationTests.WriteSide;

/// <summary>The caps that bound a report (docs/api.md "Limits"): evidence items per cell, commitments per cycle.</summary>
public sealed class ReportBoundTests(AppFixture app) : WriteSideTest(app)
{
    private async Task FillCell(int items)
    {
        for (var i = 0; i < items; i++)
            await World.Expect(World.AsAnalyst(World.Evidence("CA", new DateOnly(2024, 7, 12).AddDays(i % 150))));
    }

    [Fact]
    public async Task overlapping_writers_at_one_below_the_evidence_cap_get_exactly_one_item_in()
    {
        await World.Build();
        await FillCell(Assessment.MaxEvidence - 1);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() =>
            World.AsAnalyst(World.Evidence("CA", new DateOnly(2024, 8, 1).AddDays(i)), i % 2 == 0 ? World.Analyst : World.OtherAnalyst))));

        Assert.Single(results, r => r.IsAccepted);
        // The others lost to the one accepted: decided again on the full cell (or, out of retries, told the stream moved).
        Assert.All(results.Where(r => !r.IsAccepted), r => Assert.Contains(r.Rule, new[] { "evidence-limit", "stream-version" }));
        Assert.Contains(results, r => r.Rule == "evidence-limit");
        Assert.Equal(Assessment.MaxEvidence, (await LoadAssessment()).Evidence.Count);

        var full = await Refused(() => World.AsAnalyst(World.Evidence("CA", new DateOnly(2024, 9, 1)) with { EvidenceId = "one-more" }),
            Outcome.Rejected, "evidence-limit");
        Assert.Contains($"{Assessment.MaxEvidence}", full.Message);
    }

    [Fact]
    public async Task withdrawn_items_still_count_against_the_evidence_cap()
    {
        await World.Build();
        await FillCell(Assessment.MaxEvidence);
        await World.Expect(World.AsAnalyst(new Assessments.WithdrawingEvidence.WithdrawEvidence(World.Cycle, World.C19, "CA", "e1",
            "Duplicate of e2.")));

        await Refused(() => World.AsAnalyst(World.Evidence("CA", new DateOnly(2024, 9, 1))), Outcome.Rejected, "evidence-limit");
    }

    [Fact]
    public async Task a_commitment_number_above_the_cap_is_refused_on_every_path()
    {
        await World.Build();
        var select = new SelectCommitment(World.Cycle, "20", JsonLimits.MaxCommitmentNumber + 1, "Area", "Title", "Text", "Source",
            World.Lead);

        var refused = await Refused(() => World.AsDirector(select), Outcome.Invalid, "validation");
        Assert.Contains(refused.Errors, e => e is { Field: "number", Rule: "maximum" });
        await World.Expect(World.AsDirector(select with { Number = JsonLimits.MaxCommitmentNumber }));

        var renumber = new RenumberCommitment(World.Cycle, World.C19, JsonLimits.MaxCommitmentNumber + 1, "More room");
        var again = await Refused(() => World.AsDirector(renumber), Outcome.Invalid, "validation");
        Assert.Contains(again.Errors, e => e is { Field: "number", Rule: "maximum" });

        var http = await App.Client(World.Director, Roles.ComplianceDirector).PostAsync($"/cycles/{World.Cycle}/commitments",
            System.Net.Http.Json.JsonContent.Create(new { commitmentId = "21", number = JsonLimits.MaxCommitmentNumber + 1,
                issueArea = "Area", title = "Title", text = "Text", source = "Source", leadAnalyst = World.Lead }));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, http.StatusCode);
        Assert.Contains("maximum", await http.Content.ReadAsStringAsync());
    }
}
