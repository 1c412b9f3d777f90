using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Commitments;
using ComplianceEvents.Commitments.PublishingRubric;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.Cycles;
using ComplianceEvents.Cycles.SettingReportWindow;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.Cycles;

namespace ComplianceEvents.IntegrationTests.WriteSide;

/// <summary>The 2024 Apulia cycle with commitment 19 and its four-dimension rubric, built through the bus.</summary>
public sealed class World(AppFixture app)
{
    public const string Cycle = "2024-apulia";
    public const string C19 = "19";
    public const string Director = "michal";   // cycle-wide compliance director, and director of #19
    public const string Lead = "anali";        // lead analyst of #19
    public const string Analyst = "tiantian";
    public const string OtherAnalyst = "ryan";

    public static readonly string[] DirectorRoles = [Roles.ComplianceDirector];
    public static readonly string[] LeadRoles = [Roles.LeadAnalyst, Roles.Analyst];
    public static readonly string[] AnalystRoles = [Roles.Analyst];

    public static readonly RubricInput Rubric19 = new(
        "No action, weak action in only one dimension, or contradictory action.",
        "Strong action in one to three dimensions, or weak action in at least three.",
        "Strong action in all four dimensions.",
        [
            new(-1, new DimensionCondition(MinContradictory: 1)),
            new(1, new DimensionCondition(MinStrong: 4)),
            new(0, new DimensionCondition(MinStrong: 1, MaxStrong: 3)),
            new(0, new DimensionCondition(MaxStrong: 0, MinWeak: 3)),
            new(-1, new DimensionCondition(MaxStrong: 0, MaxWeak: 2)),
        ]);

    public static readonly Citation Cbcf = new("The 2024 U.S.—Canada Cross Border Crime Forum (CBCF)", "Public Safety Canada", "Ottawa",
        "2024-07-12", new DateOnly(2024, 9, 20), "https://www.publicsafety.gc.ca/cnt/nws/2024/07/cbcf.html");

    public Task<CommandResult> AsDirector(object command, string? commandId = null) => app.Send(command, Director, DirectorRoles, commandId);
    public Task<CommandResult> AsLead(object command) => app.Send(command, Lead, LeadRoles);
    public Task<CommandResult> AsAnalyst(object command, string who = Analyst) => app.Send(command, who, AnalystRoles);

    public async Task Build()
    {
        await Expect(AsDirector(OpeningCycleTests.Apulia()));
        await Expect(AsDirector(new SetReportWindow(Cycle, ReportKind.Interim, new DateOnly(2024, 6, 15), new DateOnly(2024, 12, 20))));
        await Expect(AsDirector(new SelectCommitment(Cycle, C19, 19, "Migration and Refugees", "Preventing Migrant Smuggling and Trafficking",
            "In line with the UN Convention against Transnational Organized Crime (UNTOC) and its Protocols, we will also strengthen our actions ...",
            "G7 Apulia Leaders' Communiqué", Lead, Director,
            Dimensions: [new("prevent", "Prevent"), new("counter", "Counter"), new("dismantle", "Dismantle Networks"), new("disrupt", "Disrupt Business Models")])));
        await Expect(AsLead(new PublishRubric(Cycle, C19, Rubric19)));
    }

    public static RecordEvidence Evidence(string member, DateOnly date, Strength? strength = Strength.Strong, params string[] dimensions) =>
        new(Cycle, C19, member, date, $"On {date:d MMMM yyyy}, the government acted.", [Cbcf], dimensions, strength);

    public static ProposeScore Proposal(string member, int score, params string[] evidenceIds) =>
        new(Cycle, C19, member, score, "Partial compliance with the commitment.", evidenceIds, 1);

    /// <summary>Evidence e1 for the member, proposed as 0 by the analyst and approved by the lead.</summary>
    public async Task ApprovedCell(string member = "CA")
    {
        await Expect(AsAnalyst(Evidence(member, new DateOnly(2024, 7, 12), Strength.Strong, "prevent", "counter")));
        await Expect(AsAnalyst(Proposal(member, 0, "e1")));
        await Expect(AsLead(new ApproveScore(Cycle, C19, member, "p1")));
    }

    public static async Task<CommandResult> Expect(Task<CommandResult> sent)
    {
        var result = await sent;
        Assert.True(result.IsAccepted, $"expected acceptance, got {result.Outcome} {result.Rule}: {result.Message}");
        return result;
    }
}
