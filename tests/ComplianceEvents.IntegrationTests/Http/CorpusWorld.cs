using System.Text;
using System.Text.Json.Nodes;
using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Commitments;
using ComplianceEvents.Commitments.ChangingApplicability;
using ComplianceEvents.Commitments.PublishingRubric;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.Cycles;
using ComplianceEvents.Cycles.OpeningCycle;
using ComplianceEvents.Cycles.SettingReportWindow;
using ComplianceEvents.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using Wolverine.Runtime;

namespace ComplianceEvents.IntegrationTests.Http;

/// <summary>
/// What a valid corpus payload needs to be accepted, built through the command pipeline before it is sent: each payload gets a cycle,
/// commitment, rubric, evidence item, proposal or dead letter of its own (fresh ids), so no payload depends on another.
/// Cross-field rules a shape cannot state are fixed on the body (evidence ids that exist, the rubric version, no stale
/// expectedVersion, the commitment's dimension codes; CorpusTests.Fix keeps rubric bounds within its three dimensions).
/// </summary>
public sealed class CorpusWorld(AppFixture app)
{
    /// <summary>Payloads per cycle: a commitment number is 1 to 100 and unique in its cycle, and a payload may use three.</summary>
    private const int PerCycle = 32;
    private static string CycleOf(int i) => $"corpus-{i / PerCycle}";
    private static readonly string[] Director = [Roles.ComplianceDirector];
    private static readonly Citation Source =
        new("Source", "Publisher", null, "2024-07", new DateOnly(2024, 9, 20), "https://example.org/s");

    public async Task Build(int cases)
    {
        for (var block = 0; block * PerCycle < cases; block++)
            await Accept(OpenCycleCommand(CycleOf(block * PerCycle)), Window(CycleOf(block * PerCycle)));
    }

    /// <summary>Builds what case <paramref name="i"/> of <paramref name="command"/> needs; returns the URL to send it to.</summary>
    public async Task<string> Prepare(Type command, string template, int i, JsonObject body)
    {
        var commitment = $"c{i}";
        var cycleId = CycleOf(i);
        if (body.ContainsKey("expectedVersion")) body["expectedVersion"] = null;
        switch (command.Name)
        {
            case "OpenCycle":
                body["cycleId"] = $"corpus-open-{i}";
                return template;
            case "SetReportWindow" or "AmendCycle" or "PublishReport":
                var cycle = $"corpus-cycle-{i}";
                await Accept(OpenCycleCommand(cycle));
                if (command.Name == "PublishReport") await Accept(Window(cycle));
                return template.Replace("{cycleId}", cycle).Replace("{kind}", "interim");
            case "SelectCommitment":
                body["commitmentId"] = $"s{i}";
                body["number"] = PerCycle + 1 + i % PerCycle;
                if (body["dimensions"] is JsonArray) body["dimensions"] = new JsonArray(new JsonObject { ["code"] = "d0", ["name"] = "D" });
                return template.Replace("{cycleId}", cycleId);
            case "SubscribeWebhook":
                return template;
            case "ReplayDeadLetter":
                return template.Replace("{id}", (await DeadLetter()).ToString());
        }
        await Accept(Select(cycleId, commitment, i));
        switch (command.Name)
        {
            case "RenumberCommitment": body["number"] = 2 * PerCycle + 1 + i % PerCycle; break;
            case "RestoreMemberApplicability": await Accept(new MarkMemberNotApplicable(cycleId, commitment, "CA", "Not a party.")); break;
            case "ReviseRubric": await Accept(Rubric(cycleId, commitment)); break;
            case "AmendEvidence" or "WithdrawEvidence": await Accept(Evidence(cycleId, commitment)); break;
            case "ProposeScore":
                await Accept(Rubric(cycleId, commitment), Evidence(cycleId, commitment));
                body["evidenceIds"] = new JsonArray("e1");
                body["rubricVersion"] = 1;
                break;
            case "ApproveScore" or "ReturnProposal" or "RejectScore":
                await Accept(Rubric(cycleId, commitment), Evidence(cycleId, commitment));
                await Accept("tiantian", [Roles.Analyst], new ProposeScore(cycleId, commitment, "CA", 0, "Partial.", ["e1"], 1));
                break;
        }
        if (body["dimensions"] is JsonArray) body["dimensions"] = new JsonArray("d0");
        return template.Replace("{cycleId}", cycleId).Replace("{commitmentId}", commitment).Replace("{memberCode}", "CA")
            .Replace("{evidenceId}", "e1").Replace("{proposalId}", "p1");
    }

    private static OpenCycle OpenCycleCommand(string cycle) => new(cycle, "Corpus Summit", "City", "Country", new DateOnly(2099, 6, 1),
        new DateOnly(2099, 6, 2), [new Member("CA", "Canada"), new Member("FR", "France"), new Member("DE", "Germany")]);

    private static SetReportWindow Window(string cycle) =>
        new(cycle, ReportKind.Interim, new DateOnly(2099, 6, 3), new DateOnly(2099, 12, 1));

    private static SelectCommitment Select(string cycle, string commitment, int i) => new(cycle, commitment, 1 + i % PerCycle, "Area",
        "Title", "Text.", "Source",
        "anali", "michal", Dimensions: [new Dimension("d0", "D0"), new Dimension("d1", "D1"), new Dimension("d2", "D2")]);

    private static PublishRubric Rubric(string cycle, string commitment) =>
        new(cycle, commitment, new RubricInput("None.", "Some.", "Full."));

    private static RecordEvidence Evidence(string cycle, string commitment) =>
        new(cycle, commitment, "CA", new DateOnly(2099, 7, 1), "The government acted.", [Source], ["d0"], Strength.Strong);

    /// <summary>A dead letter of its own for a replay to send back (to a queue nobody listens on, so it goes nowhere).</summary>
    private async Task<Guid> DeadLetter()
    {
        var envelope = new Envelope { Id = Guid.NewGuid(), MessageType = "corpus-replay", ContentType = "application/json",
            Data = Encoding.UTF8.GetBytes("{}"), Destination = new Uri("local://corpus-replay") };
        await app.Factory.Services.GetRequiredService<IWolverineRuntime>().Storage.Inbox
            .MoveToDeadLetterStorageAsync(envelope, new InvalidOperationException("a corpus dead letter"));
        return envelope.Id;
    }

    private Task Accept(params object[] commands) => Accept("michal", Director, commands);

    private async Task Accept(string user, string[] roles, params object[] commands)
    {
        foreach (var command in commands)
        {
            var result = await app.Send(command, user, roles);
            Assert.True(result.IsAccepted, $"corpus world: {command} -> {result.Outcome} {result.Rule}: {result.Message}");
        }
    }
}
