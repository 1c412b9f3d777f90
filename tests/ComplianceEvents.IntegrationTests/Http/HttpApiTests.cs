using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.WriteSide;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceEvents.IntegrationTests.Http;

public sealed class HttpApiTests(AppFixture app) : WriteSideTest(app)
{
    private const string Cell = "/cycles/2024-apulia/commitments/19/assessments/CA";

    /// <summary>Every route the host maps, with its HTTP methods.</summary>
    private IReadOnlyList<(string Method, string Route)> Routes() =>
        App.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, "/"
                + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct().ToList();

    private static string Fill(string route) => route
        .Replace("{cycleId}", "2024-apulia").Replace("{commitmentId}", "19").Replace("{memberCode}", "CA").Replace("{kind}", "interim")
        .Replace("{edition}", "1").Replace("{evidenceId}", "e1").Replace("{proposalId}", "p1").Replace("{documentName}", "v1");

    [Fact]
    public async Task every_endpoint_but_health_and_the_api_document_needs_a_token()
    {
        var anonymous = App.Factory.CreateClient();
        var open = new[] { "/health", "/openapi/{documentName}.json", "/docs" };
        var routes = Routes().Where(r => !open.Any(o => r.Route.StartsWith(o))).ToList();
        Assert.True(routes.Count >= 25, $"only {routes.Count} routes found");
        foreach (var (method, route) in routes)
        {
            var request = new HttpRequestMessage(new HttpMethod(method), Fill(route)) { Content = new StringContent("{}", Encoding.UTF8,
                "application/json") };
            var response = await anonymous.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {route}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task the_openapi_document_lists_every_endpoint()
    {
        var doc = JsonDocument.Parse(await App.Factory.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;
        var documented = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => (m.Name.ToUpperInvariant(), p.Name))).ToHashSet();
        var missing = Routes().Where(r => !r.Route.StartsWith("/openapi") && !r.Route.StartsWith("/docs"))
            .Where(r => !documented.Contains((r.Method, r.Route))).ToList();
        Assert.True(missing.Count == 0, "not in the OpenAPI document: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task an_analyst_who_proposed_cannot_approve_over_http_and_the_lead_can()
    {
        await World.Build();
        await World.Expect(World.AsAnalyst(World.Evidence("CA", new DateOnly(2024, 7, 12))));
        var tiantian = App.Client(World.Analyst, Roles.Analyst, Roles.ComplianceDirector); // every role, still the proposer
        var proposed = await tiantian.PostAsJsonAsync(Cell + "/proposals", new { score = 0, rationale = "Partial.",
            evidenceIds = new[] { "e1" }, rubricVersion = 1 });
        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        Assert.EndsWith("/assessments/CA#proposal-p1", proposed.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await tiantian.GetAsync(proposed.Headers.Location)).StatusCode);

        var before = await App.EventCount();
        var self = await tiantian.PostAsJsonAsync(Cell + "/proposals/p1/approval", new { });
        Assert.Equal(HttpStatusCode.Forbidden, self.StatusCode);
        Assert.Equal("separation-of-duties", (await self.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(before, await App.EventCount());

        var lead = App.ClientFor("zoe", [Roles.LeadAnalyst], "2024-apulia/19");
        Assert.Equal(HttpStatusCode.OK, (await lead.PostAsJsonAsync(Cell + "/proposals/p1/approval",
            new { comment = "Agreed" })).StatusCode);
        var view = await lead.GetFromJsonAsync<JsonElement>(Cell);
        Assert.Equal(0, view.GetProperty("approvedScore").GetInt32());
        Assert.Equal("zoe", view.GetProperty("approval").GetProperty("approvedBy").GetString());
    }

    [Fact]
    public async Task a_repeated_idempotency_key_returns_the_first_answer_and_appends_nothing()
    {
        await World.Build();
        var client = App.Client(World.Analyst, Roles.Analyst);
        var body = World.Evidence("CA", new DateOnly(2024, 7, 12));
        HttpRequestMessage Request() => new(HttpMethod.Post, Cell + "/evidence")
        {
            Content = JsonContent.Create(body, options: ApiJson.Options), Headers = { { "Idempotency-Key", "harvest-7" } },
        };
        var first = await client.SendAsync(Request());
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var count = await App.EventCount();
        var again = await client.SendAsync(Request());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replay").Single());
        Assert.Equal(count, await App.EventCount());
    }

    [Fact]
    public async Task if_match_with_a_stale_version_is_409_and_bad_input_is_400_never_500()
    {
        await World.Build();
        var client = App.Client(World.Analyst, Roles.Analyst);
        var first = await client.PostAsJsonAsync(Cell + "/evidence", World.Evidence("CA", new DateOnly(2024, 7, 12)), ApiJson.Options);
        Assert.Equal("\"2\"", first.Headers.ETag?.Tag);

        HttpRequestMessage Propose(string ifMatch,
            string json = "{\"score\":0,\"rationale\":\"r\",\"evidenceIds\":[\"e1\"],\"rubricVersion\":1}") =>
            WithIfMatch(new(HttpMethod.Post, Cell + "/proposals") { Content = new StringContent(json, Encoding.UTF8, "application/json") },
                ifMatch);
        Assert.Equal(HttpStatusCode.Conflict, (await client.SendAsync(Propose("\"1\""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(Propose("yesterday"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(Propose("\"2\"", "{\"score\": \"high\""))).StatusCode);
        var invalid = await client.SendAsync(Propose("\"2\"", "{\"score\":3,\"rationale\":\"\",\"evidenceIds\":[],\"rubricVersion\":0}"));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var fields = (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p
            => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "score", "rationale", "rubricVersion" }, fields);
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(Propose("\"2\""))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/cycles/2024-apulia/commitments/77")).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            (await client.PostAsJsonAsync("/cycles/2024-apulia/commitments/19/assessments/DE/proposals", World.Proposal("DE", 0,
                "e9"))).StatusCode);
    }

    private static HttpRequestMessage WithIfMatch(HttpRequestMessage request, string value)
    {
        request.Headers.TryAddWithoutValidation("If-Match", value);
        return request;
    }

    [Fact]
    public async Task reports_audit_and_explanations_are_served_in_every_format()
    {
        await World.Build();
        await World.ApprovedCell("CA");
        var viewer = App.Client("victor", Roles.Viewer);
        var md = await viewer.GetAsync("/cycles/2024-apulia/report?kind=interim");
        Assert.Equal("text/markdown", md.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("# G7 Apulia Summit Interim Compliance Report", await md.Content.ReadAsStringAsync());
        Assert.Equal("text/html", (await viewer.GetAsync("/cycles/2024-apulia/report?format=html")).Content.Headers.ContentType?.MediaType);
        Assert.Contains("overall", await viewer.GetStringAsync("/cycles/2024-apulia/report?format=csv"));
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/cycles/2024-apulia/report?kind=midterm")).StatusCode);
        foreach (var query in new[] { "asOfSequence=abc", "edition=first" })
        {
            var unparseable = await viewer.GetAsync($"/cycles/2024-apulia/report?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, unparseable.StatusCode);
            Assert.Contains(query.Split('=')[0], await unparseable.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/cycles/2024-apulia/report?kind=interim&edition=1")).StatusCode);

        var editor = App.Client("chair", Roles.Editor);
        var published = await editor.PostAsJsonAsync("/cycles/2024-apulia/reports/interim/editions", new { });
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var verification = await viewer.GetFromJsonAsync<JsonElement>("/cycles/2024-apulia/reports/interim/editions/1/verification");
        Assert.True(verification.GetProperty("identical").GetBoolean());

        var audit = await viewer.GetFromJsonAsync<JsonElement>(Cell + "/audit");
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("kind").GetString() == "score-approved");
        var why = await viewer.GetFromJsonAsync<JsonElement>(Cell + "/explanation?from=0&to=interim");
        Assert.Equal(("none", "0"), (why.GetProperty("before").GetString(), why.GetProperty("after").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync(Cell + "/explanation?from=someday&to=interim")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/cycles/2024-apulia/stale-approvals")).StatusCode);
        Assert.Equal("0",
            (await viewer.GetFromJsonAsync<JsonElement>("/cycles/2024-apulia/scores"))
                .GetProperty("commitments")[0].GetProperty("cells")[0].GetProperty("display").GetString());
    }
}
