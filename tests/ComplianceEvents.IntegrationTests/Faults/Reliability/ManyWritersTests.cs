using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.AmendingEvidence;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Assessments.ReturningProposal;
using ComplianceEvents.Commitments.PublishingRubric;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.IntegrationTests.Http;
using ComplianceEvents.IntegrationTests.WriteSide;
using Xunit.Abstractions;

namespace ComplianceEvents.IntegrationTests.Faults.Reliability;

/// <summary>
/// Many writers over HTTP: 50 clients send 1,000 commands to 16 cells of two commitments, each command under If-Match with the
/// version the client read just before. Every answer is 2xx or 409 (a stale If-Match, never a 5xx), and the log holds exactly
/// the events the accepted answers report.
/// </summary>
public sealed class ManyWritersTests(AppFixture app, ITestOutputHelper output) : WriteSideTest(app)
{
    private const int Clients = 50, Reviewers = 10, CommandsPerClient = 20;
    private const string C20 = "20";
    private static readonly string[] Commitments = [World.C19, C20];
    private static readonly string[] Members = ["CA", "FR", "DE", "IT", "JP", "UK", "US", "EU"];

    private sealed record Answer(string Command, HttpStatusCode Status, int Events, string? Rule);

    [Fact]
    public async Task fifty_clients_sending_a_thousand_if_match_commands_get_only_2xx_or_409_and_the_log_holds_what_was_accepted()
    {
        await World.Build();
        await World.Expect(World.AsDirector(new SelectCommitment(World.Cycle, C20, 20, "Migration and Refugees", "Returns",
            "We will work together on returns.", "G7 Apulia Leaders' Communiqué", World.Lead, World.Director)));
        await World.Expect(World.AsLead(new PublishRubric(World.Cycle, C20, World.Rubric19 with { DimensionRules = null })));
        foreach (var commitment in Commitments)
            foreach (var member in Members)
                await World.Expect(World.AsAnalyst(Evidence(commitment, member)));
        var before = await App.EventCount();

        var clock = Stopwatch.StartNew();
        var answers = (await Task.WhenAll(Enumerable.Range(0, Clients).Select(i => Task.Run(() => Writer(i))))).SelectMany(a => a).ToList();
        var took = clock.Elapsed;

        var appended = await App.EventCount() - before;
        var byStatus = answers.GroupBy(a => (int)a.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}");
        output.WriteLine($"{answers.Count} commands from {Clients} clients in {took.TotalSeconds:0.0} s; {string.Join(", ", byStatus)}; " +
            $"{appended} events; by command: " + string.Join(", ", answers.GroupBy(a => a.Command).Select(g =>
                $"{g.Key} {g.Count(a => (int)a.Status < 300)}/{g.Count()}")));

        Assert.Equal(Clients * CommandsPerClient, answers.Count);
        var unexpected = answers.Where(a => !((int)a.Status is >= 200 and < 300 || a.Status == HttpStatusCode.Conflict)).ToList();
        Assert.True(unexpected.Count == 0, "answers other than 2xx or 409: " +
            string.Join("; ", unexpected.Take(10).Select(a => $"{a.Command} {(int)a.Status} {a.Rule}")));
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.Conflict), a => Assert.Equal("stream-version", a.Rule));
        Assert.Contains(answers, a => a.Status == HttpStatusCode.Conflict); // the writers did meet
        Assert.Equal(answers.Where(a => (int)a.Status < 300).Sum(a => a.Events), appended);
        await Invariants.AssertHold(App.ConnectionString, App.ChainKey);
    }

    private static RecordEvidence Evidence(string commitment, string member) =>
        World.Evidence(member, new DateOnly(2024, 7, 12)) with { CommitmentId = commitment };

    /// <summary>One client: read a cell, then send one command to it under If-Match with the version read.</summary>
    private async Task<List<Answer>> Writer(int i)
    {
        var reviewer = i < Reviewers;
        using var client = reviewer ? App.Client(World.Lead, World.LeadRoles) : App.Client($"analyst-{i}", World.AnalystRoles);
        var random = new Random(i);
        var answers = new List<Answer>();
        for (var n = 0; n < CommandsPerClient; n++)
        {
            var (commitment, member) = (Commitments[random.Next(Commitments.Length)], Members[random.Next(Members.Length)]);
            var cell = $"/cycles/{World.Cycle}/commitments/{commitment}/assessments/{member}";
            var view = await client.GetFromJsonAsync<JsonElement>(cell);
            var version = view.GetProperty("version").GetInt64();
            var pending = view.GetProperty("pending") is { ValueKind: JsonValueKind.Object } p
                ? p.GetProperty("proposalId").GetString() : null;
            var roll = random.NextDouble();
            var (name, method, path, body) = (reviewer, pending) switch
            {
                (true, { } id) when roll < 0.7 => ("approve", HttpMethod.Post, $"{cell}/proposals/{id}/approval",
                    (object)new ApproveScore(World.Cycle, commitment, member, id)),
                (true, { } id) => ("return", HttpMethod.Post, $"{cell}/proposals/{id}/return",
                    new ReturnProposal(World.Cycle, commitment, member, id, "Cite the second dimension.")),
                (false, null) when roll < 0.3 => ("propose", HttpMethod.Post, $"{cell}/proposals",
                    new ProposeScore(World.Cycle, commitment, member, random.Next(3) - 1, "Partial compliance.", ["e1"], 1)),
                (false, _) when roll < 0.45 => ("amend", HttpMethod.Put, $"{cell}/evidence/e1",
                    new AmendEvidence(World.Cycle, commitment, member, "e1", new DateOnly(2024, 7, 12), $"Re-read by client {i}, {n}.",
                        [World.Cbcf], "Re-read the source.")),
                _ => ("record", HttpMethod.Post, $"{cell}/evidence", Evidence(commitment, member)),
            };
            using var request = new HttpRequestMessage(method, path)
            {
                Content = JsonContent.Create(body, body.GetType(), options: ApiJson.Options),
                Headers = { IfMatch = { new EntityTagHeaderValue($"\"{version}\"") } },
            };
            using var response = await client.SendAsync(request);
            var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
            answers.Add(response.IsSuccessStatusCode
                ? new Answer(name, response.StatusCode, answer.GetProperty("eventIds").GetArrayLength(), null)
                : new Answer(name, response.StatusCode, 0, answer.TryGetProperty("title", out var t) ? t.GetString() : null));
        }
        return answers;
    }
}
