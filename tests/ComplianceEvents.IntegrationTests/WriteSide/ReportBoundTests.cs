using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.AmendingEvidence;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Commitments.RenumberingCommitment;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.Cycles;
using ComplianceEvents.Cycles.OpeningCycle;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.IntegrationTests.WriteSide;

/// <summary>
/// The caps that bound a report (docs/api.md "Limits"): evidence items per cell, characters of current evidence per cell,
/// commitments per cycle.
/// </summary>
public sealed class ReportBoundTests(AppFixture app) : WriteSideTest(app)
{
    private async Task FillCell(int items)
    {
        for (var i = 0; i < items; i++)
            await World.Expect(World.AsAnalyst(World.Evidence("CA", new DateOnly(2024, 7, 12).AddDays(i % 150))));
    }

    private static long Characters(RecordEvidence e) => EvidenceContent.Fields(e.Summary, e.Citations).Sum(f => (long)f.Characters);

    /// <summary>An item of exactly <paramref name="characters"/> counted characters (World's citation, a summary of x).</summary>
    private static RecordEvidence Sized(long characters, int day = 0)
    {
        var probe = World.Evidence("CA", new DateOnly(2024, 7, 12).AddDays(day));
        return probe with { Summary = new string('x', (int)(characters - Characters(probe with { Summary = "" }))) };
    }

    /// <summary>Fills the CA cell with 5,000-character items up to <paramref name="room"/> characters below the budget.</summary>
    private async Task<long> FillText(long room)
    {
        var target = Assessment.MaxEvidenceCharacters - room;
        var held = 0L;
        for (var day = 0; held < target; day++)
        {
            var item = Sized(Math.Min(5_000, target - held), day);
            await World.Expect(World.AsAnalyst(item));
            held += Characters(item);
        }
        return held;
    }

    [Fact]
    public async Task evidence_over_the_cell_content_budget_is_refused_naming_the_field_where_it_crosses()
    {
        await World.Build();
        await FillText(room: 400);
        var plain = World.Evidence("CA", new DateOnly(2024, 8, 1));
        Assert.Equal(144, Characters(plain with { Summary = "" }));

        // The citation's 144 characters fit the 400 left; a 300-character summary then passes it.
        var over = await Refused(() => World.AsAnalyst(plain with { Summary = new string('x', 300) }), Outcome.Rejected,
            "cell-content-limit");
        Assert.Contains("128,000", over.Message);
        Assert.Contains(over.Errors, e => e is { Field: "summary", Rule: "cell-content-limit" });
        await World.Expect(World.AsAnalyst(Sized(300, 1)));

        // 100 left: the citation's fields in order, and the URL is where the count passes it.
        var url = await Refused(() => World.AsAnalyst(plain), Outcome.Rejected, "cell-content-limit");
        Assert.Contains(url.Errors, e => e.Field == "citations[0].url");
        await World.Expect(World.AsAnalyst(plain with { Citations = [], Summary = new string('x', 100) }));

        await Refused(() => World.AsAnalyst(plain with { Summary = "x", Citations = [] }), Outcome.Rejected, "cell-content-limit");
        Assert.Equal(Assessment.MaxEvidenceCharacters, (await LoadAssessment()).CurrentEvidence.Sum(e => e.Characters));
    }

    [Fact]
    public async Task an_amendment_counts_the_item_it_replaces_out_and_a_withdrawn_item_frees_its_text()
    {
        await World.Build();
        await FillText(room: 0);
        var e1 = (await LoadAssessment()).Evidence[0];
        var text = await Load<EvidenceText>(EvidenceText.Key(Assessment.StreamKey(World.Cycle, World.C19, "CA"), e1.EvidenceId));
        AmendEvidence Amend(int summary) => new(World.Cycle, World.C19, "CA", e1.EvidenceId, e1.ActionDate, new string('y', summary),
            text.Citations, "Corrected.", e1.Dimensions, e1.Strength);

        // The same length again fits exactly; one character more does not.
        await World.Expect(World.AsAnalyst(Amend(text.Summary.Length)));
        var over = await Refused(() => World.AsAnalyst(Amend(text.Summary.Length + 1)), Outcome.Rejected, "cell-content-limit");
        Assert.Contains(over.Errors, e => e.Field == "summary");

        await World.Expect(World.AsAnalyst(new Assessments.WithdrawingEvidence.WithdrawEvidence(World.Cycle, World.C19, "CA", "e2",
            "Duplicate of e1.")));
        await World.Expect(World.AsAnalyst(Amend(text.Summary.Length + 1)));
        await World.Expect(World.AsAnalyst(Sized(1_000, 5)));
    }

    [Fact]
    public async Task overlapping_writers_for_the_last_characters_of_the_budget_get_exactly_one_item_in()
    {
        await World.Build();
        await FillText(room: 3_000);

        // Each fits alone; any two do not.
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() =>
            World.AsAnalyst(Sized(2_000, 10 + i), i % 2 == 0 ? World.Analyst : World.OtherAnalyst))));

        Assert.Single(results, r => r.IsAccepted);
        Assert.All(results.Where(r => !r.IsAccepted), r => Assert.Contains(r.Rule, new[] { "cell-content-limit", "stream-version" }));
        Assert.Contains(results, r => r.Rule == "cell-content-limit");
        Assert.Equal(Assessment.MaxEvidenceCharacters - 1_000, (await LoadAssessment()).CurrentEvidence.Sum(e => e.Characters));
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
    public async Task a_cycle_of_more_than_twelve_members_is_refused()
    {
        var members = Enumerable.Range(0, JsonLimits.MaxMembers + 1).Select(i => new Member($"M{(char)('A' + i)}", $"Member {i}")).ToList();
        var open = new OpenCycle("cap-members", "Summit", "City", "Country", new DateOnly(2024, 6, 13), new DateOnly(2024, 6, 15),
            members, "the G7 Research Group");

        var refused = await Refused(() => World.AsDirector(open), Outcome.Invalid, "validation");
        Assert.Contains(refused.Errors, e => e is { Field: "members", Rule: "max-items" });
        await World.Expect(World.AsDirector(open with { Members = members[..JsonLimits.MaxMembers] }));
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
