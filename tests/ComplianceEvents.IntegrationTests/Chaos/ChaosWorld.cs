using System.Net;
using System.Net.Http.Json;
using ComplianceEvents.Commitments.PublishingRubric;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.Cycles;
using ComplianceEvents.Cycles.SettingReportWindow;
using ComplianceEvents.IntegrationTests.Cycles;
using ComplianceEvents.IntegrationTests.Http;
using ComplianceEvents.IntegrationTests.Integration;
using ComplianceEvents.IntegrationTests.WriteSide;

namespace ComplianceEvents.IntegrationTests.Chaos;

/// <summary>One evidence item to record in a cell; its Idempotency-Key is also its evidence id, so the log names it.</summary>
public sealed record ChaosCommand(string Key, string CommitmentId, string Member, DateOnly ActionDate)
{
    public string StreamKey => $"assessment:{World.Cycle}:{CommitmentId}:{Member}";

    public HttpRequestMessage Request() => new(HttpMethod.Post,
        $"/cycles/{World.Cycle}/commitments/{CommitmentId}/assessments/{Member}/evidence")
    {
        Content = JsonContent.Create(World.Evidence(Member, ActionDate, Assessments.Strength.Strong, "prevent") with { EvidenceId = Key },
            options: ApiJson.Options),
        Headers = { { "Idempotency-Key", Key } },
    };
}

/// <summary>
/// The 2024 Apulia cycle with its interim window and commitments c1..cN (each with the four-dimension rubric), built over HTTP;
/// its cells (commitment x member, 8 members each) take the scenarios' evidence, a cell at most 200 items (evidence-limit).
/// </summary>
public static class ChaosWorld
{
    public static readonly string[] Members = ["CA", "FR", "DE", "IT", "JP", "UK", "US", "EU"];

    public static async Task Build(HostProcess host, string key, int commitments)
    {
        using var director = host.Client(key, World.Director, World.DirectorRoles);
        using var lead = host.Client(key, World.Lead, World.LeadRoles);
        await Created(director.PostAsJsonAsync("/cycles", OpeningCycleTests.Apulia(), ApiJson.Options));
        await Created(director.PutAsJsonAsync($"/cycles/{World.Cycle}/windows/interim", new SetReportWindow(World.Cycle,
            ReportKind.Interim, new DateOnly(2024, 6, 15), new DateOnly(2024, 12, 20)), ApiJson.Options));
        for (var n = 1; n <= commitments; n++)
        {
            await Created(director.PostAsJsonAsync($"/cycles/{World.Cycle}/commitments", new SelectCommitment(World.Cycle, $"c{n}", n,
                "Migration and Refugees", $"Commitment {n}", "We will strengthen our actions ...", "G7 Apulia Leaders' Communiqué",
                World.Lead, World.Director, Dimensions: [new("prevent", "Prevent"), new("counter", "Counter"),
                    new("dismantle", "Dismantle Networks"), new("disrupt", "Disrupt Business Models")]), ApiJson.Options));
            await Created(lead.PostAsJsonAsync($"/cycles/{World.Cycle}/commitments/c{n}/rubrics",
                new PublishRubric(World.Cycle, $"c{n}", World.Rubric19), ApiJson.Options));
        }
    }

    /// <summary><paramref name="count"/> commands spread at random over the cells of <paramref name="commitments"/> commitments.</summary>
    public static IReadOnlyList<ChaosCommand> Commands(Random random, string prefix, int count, int commitments) =>
        Enumerable.Range(0, count).Select(i => new ChaosCommand($"{prefix}-{i:D5}", $"c{random.Next(1, commitments + 1)}",
            Members[random.Next(Members.Length)], new DateOnly(2024, 6, 15).AddDays(random.Next(180)))).ToList();

    private static async Task Created(Task<HttpResponseMessage> sent)
    {
        using var response = await sent;
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
            throw new Xunit.Sdk.XunitException($"building the world: {(int)response.StatusCode} " +
                await response.Content.ReadAsStringAsync());
    }
}
