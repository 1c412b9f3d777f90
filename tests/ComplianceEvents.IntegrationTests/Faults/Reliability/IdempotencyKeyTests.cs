using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.IntegrationTests.Http;
using ComplianceEvents.IntegrationTests.WriteSide;

namespace ComplianceEvents.IntegrationTests.Faults.Reliability;

/// <summary>An Idempotency-Key over HTTP: sent three times one after the other, and ten times at once, it takes effect once.</summary>
public sealed class IdempotencyKeyTests(AppFixture app) : WriteSideTest(app)
{
    private const string Cell = $"/cycles/{World.Cycle}/commitments/{World.C19}/assessments/CA";

    private static HttpRequestMessage Post(string path, object body, string key) =>
        new(HttpMethod.Post, path) { Content = JsonContent.Create(body, body.GetType(), options: ApiJson.Options),
            Headers = { { "Idempotency-Key", key } } };

    private static async Task<(HttpStatusCode Status, bool Replay, string EventIds)> Answer(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var ids = body.TryGetProperty("eventIds", out var e) ? string.Join(',', e.EnumerateArray().Select(x => x.GetString())) : "";
        return (response.StatusCode, response.Headers.Contains("Idempotent-Replay"), ids);
    }

    [Fact]
    public async Task a_key_sent_three_times_in_a_row_and_another_sent_ten_times_at_once_each_take_effect_once()
    {
        await World.Build();
        using var client = App.Client(World.Analyst, World.AnalystRoles);
        var before = await App.EventCount();

        var evidence = World.Evidence("CA", new DateOnly(2024, 7, 12));
        var sequential = new List<(HttpStatusCode Status, bool Replay, string EventIds)>();
        for (var i = 0; i < 3; i++) sequential.Add(await Answer(await client.SendAsync(Post(Cell + "/evidence", evidence, "harvest-3x"))));
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK], sequential.Select(a => a.Status));
        Assert.Equal([false, true, true], sequential.Select(a => a.Replay));
        Assert.Single(sequential.Select(a => a.EventIds).Distinct());
        Assert.Equal(2, sequential[0].EventIds.Split(',').Length); // AssessmentOpened, EvidenceRecorded
        Assert.Equal(before + 2, await App.EventCount());

        var proposal = World.Proposal("CA", 0, "e1");
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
            await Answer(await client.SendAsync(Post(Cell + "/proposals", proposal, "propose-10x"))))));
        Assert.All(concurrent, a => Assert.True((int)a.Status is 200 or 201, $"answered {(int)a.Status}"));
        Assert.Single(concurrent, a => !a.Replay);
        Assert.Equal(HttpStatusCode.Created, concurrent.Single(a => !a.Replay).Status);
        Assert.Single(concurrent.Select(a => a.EventIds).Distinct());
        Assert.Equal(before + 3, await App.EventCount());
        Assert.Single((await LoadAssessment()).Proposals);
        await Invariants.AssertHold(App.ConnectionString, App.ChainKey);
    }
}
