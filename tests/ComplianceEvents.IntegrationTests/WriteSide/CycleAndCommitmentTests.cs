using ComplianceEvents.Commitments;
using ComplianceEvents.Commitments.ChangingApplicability;
using ComplianceEvents.Commitments.PublishingRubric;
using ComplianceEvents.Commitments.RenumberingCommitment;
using ComplianceEvents.Commitments.RevisingRubric;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.Cycles;
using ComplianceEvents.Cycles.AmendingCycle;
using ComplianceEvents.Cycles.SettingReportWindow;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.IntegrationTests.WriteSide;

public sealed class CycleAndCommitmentTests(AppFixture app) : WriteSideTest(app)
{
    private static readonly DateOnly Jun15 = new(2024, 6, 15), Dec20 = new(2024, 12, 20);

    [Fact]
    public async Task report_windows_are_set_changed_only_with_a_reason_and_checked_against_the_summit()
    {
        await World.Build();
        var cycle = await LoadCycle();
        Assert.Equal(new ReportWindow(ReportKind.Interim, Jun15, Dec20), cycle.Window(ReportKind.Interim));
        Assert.Equal(2, cycle.Version);

        await Refused(() => World.AsDirector(new SetReportWindow(World.Cycle, ReportKind.Interim, Jun15, new DateOnly(2024, 12, 31))), Outcome.Rejected, "reason-required");
        await Refused(() => World.AsDirector(new SetReportWindow(World.Cycle, ReportKind.Final, new DateOnly(2024, 1, 1), new DateOnly(2025, 5, 1))), Outcome.Rejected, "window-before-summit");
        await Refused(() => World.AsDirector(new SetReportWindow(World.Cycle, ReportKind.Final, Jun15, new DateOnly(2024, 11, 1))), Outcome.Rejected, "final-before-interim");
        await Refused(() => World.AsAnalyst(new SetReportWindow(World.Cycle, ReportKind.Final, Jun15, new DateOnly(2025, 5, 1))), Outcome.Forbidden, "role-required");
        await Refused(() => World.AsDirector(new SetReportWindow("1999-nowhere", ReportKind.Final, Jun15, new DateOnly(2025, 5, 1))), Outcome.NotFound, "cycle-not-found");
        await Refused(() => World.AsDirector(new SetReportWindow(World.Cycle, ReportKind.Final, Dec20, Jun15)), Outcome.Invalid, "validation");

        await World.Expect(World.AsDirector(new SetReportWindow(World.Cycle, ReportKind.Interim, Jun15, new DateOnly(2024, 12, 31), "Cutoff moved to the hand-over.")));
        await World.Expect(World.AsDirector(new SetReportWindow(World.Cycle, ReportKind.Final, Jun15, new DateOnly(2025, 5, 1))));
        cycle = await LoadCycle();
        Assert.Equal([ReportKind.Interim, ReportKind.Final], cycle.Windows.Select(w => w.Kind));
        Assert.Equal(new DateOnly(2024, 12, 31), cycle.Window(ReportKind.Interim)!.Cutoff);
    }

    [Fact]
    public async Task a_cycle_is_amended_with_a_reason()
    {
        await World.Build();
        await Refused(() => World.AsDirector(new AmendCycle(World.Cycle, "G7 Apulia", "Borgo Egnazia", "Italy", new(2024, 6, 13), new(2024, 6, 15), null, "")), Outcome.Invalid, "validation");
        await World.Expect(World.AsDirector(new AmendCycle(World.Cycle, "2024 G7 Apulia Summit", "Borgo Egnazia", "Italy", new(2024, 6, 13), new(2024, 6, 15),
            "Jacob Rudolph and Angus MacKellar", "Title page name")));
        var cycle = await LoadCycle();
        Assert.Equal("2024 G7 Apulia Summit", cycle.SummitName);
        Assert.Equal(8, cycle.Members.Count);
    }

    [Fact]
    public async Task commitments_are_selected_once_per_id_and_number_and_renumbered_with_a_reason()
    {
        await World.Build();
        var commitment = await LoadCommitment();
        Assert.Equal(19, commitment.Number);
        Assert.Equal(4, commitment.Dimensions.Count);
        Assert.Equal(World.Lead, commitment.LeadAnalyst);

        var again = new SelectCommitment(World.Cycle, World.C19, 20, "Area", "Title", "Text", "Source", World.Lead);
        await Refused(() => World.AsDirector(again), Outcome.Conflict, "commitment-exists");
        await Refused(() => World.AsDirector(again with { CommitmentId = "20", Number = 19 }), Outcome.Conflict, "number-taken");
        await Refused(() => World.AsDirector(again with { CycleId = "1999-nowhere", CommitmentId = "20" }), Outcome.NotFound, "cycle-not-found");
        await Refused(() => World.AsLead(again with { CommitmentId = "20" }), Outcome.Forbidden, "role-required");
        await World.Expect(World.AsDirector(again with { CommitmentId = "20", Number = 20 }));

        await Refused(() => World.AsDirector(new RenumberCommitment(World.Cycle, World.C19, 20, "clash")), Outcome.Conflict, "number-taken");
        await World.Expect(World.AsDirector(new RenumberCommitment(World.Cycle, World.C19, 21, "Final report renumbering")));
        Assert.Equal(21, (await LoadCommitment()).Number);
    }

    [Fact]
    public async Task a_member_is_marked_not_applicable_with_a_reason_and_restored()
    {
        await World.Build();
        var mark = new MarkMemberNotApplicable(World.Cycle, World.C19, "EU", "The EU is not a party to this commitment.");
        await Refused(() => World.AsAnalyst(mark), Outcome.Forbidden, "reviewer-required");
        await Refused(() => World.AsLead(mark with { MemberCode = "RU" }), Outcome.Rejected, "member-not-in-cycle");
        await Refused(() => World.AsLead(mark with { Reason = "" }), Outcome.Invalid, "validation");
        await World.Expect(World.AsLead(mark));
        Assert.False((await LoadCommitment()).IsApplicable("EU"));
        await Refused(() => World.AsLead(mark), Outcome.Conflict, "already-not-applicable");

        await World.Expect(World.AsLead(new RestoreMemberApplicability(World.Cycle, World.C19, "EU", "Marked by mistake.")));
        Assert.True((await LoadCommitment()).IsApplicable("EU"));
    }

    [Fact]
    public async Task rubric_versions_are_numbered_and_revisions_need_a_reason()
    {
        await World.Build();
        Assert.Equal(1, (await LoadCommitment()).CurrentRubric!.Version);
        await Refused(() => World.AsLead(new PublishRubric(World.Cycle, World.C19, World.Rubric19)), Outcome.Conflict, "rubric-exists");
        await Refused(() => World.AsLead(new ReviseRubric(World.Cycle, World.C19, World.Rubric19, "")), Outcome.Invalid, "validation");
        await Refused(() => World.AsAnalyst(new ReviseRubric(World.Cycle, World.C19, World.Rubric19, "why not")), Outcome.Forbidden, "reviewer-required");
        var tooMany = World.Rubric19 with { DimensionRules = [new DimensionRule(1, new DimensionCondition(MinStrong: 5))] };
        await Refused(() => World.AsLead(new ReviseRubric(World.Cycle, World.C19, tooMany, "five?")), Outcome.Rejected, "bound-exceeds-dimensions");

        var v2 = World.Rubric19 with { Zero = "Strong action in one to three dimensions, or weak action in at least two." };
        await World.Expect(World.AsDirector(new ReviseRubric(World.Cycle, World.C19, v2, "Prose says at least two; the table said three.")));
        var commitment = await LoadCommitment();
        Assert.Equal([1, 2], commitment.Rubrics.Select(r => r.Version));
        Assert.Equal(v2.Zero, commitment.CurrentRubric!.Zero);

        var events = await Stream(commitment.Id);
        var revised = Assert.IsType<RubricRevised>(events[^1].Data);
        Assert.Equal(1, revised.PreviousVersion);
        Assert.Equal(World.Director, events[^1].Headers?["user-id"]?.ToString());
    }
}
