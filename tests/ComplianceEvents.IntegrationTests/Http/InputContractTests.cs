using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Auth;

namespace ComplianceEvents.IntegrationTests.Http;

/// <summary>docs/api.md "Input contract": every bad input is a 400/413/415 problem naming the field and rule, appending nothing.</summary>
public sealed class InputContractTests(AppFixture app) : HostTest(app)
{
    private const string Cell = "/cycles/2024-apulia/commitments/19/assessments/CA";
    private const string Proposal = "\"rationale\":\"r\",\"evidenceIds\":[\"e1\"],\"rubricVersion\":1";
    private const string Cycle = "\"cycleId\":\"2025-x\",\"summitName\":\"S\",\"hostCity\":\"C\",\"hostCountry\":\"K\","
        + "\"summitEnd\":\"2025-06-17\","
        + "\"members\":[{\"code\":\"CA\",\"name\":\"Canada\"}]";
    private const string Citation = "{\"title\":\"T\",\"publisher\":\"P\",\"place\":null,\"published\":null,\"accessed\":null,\"url\":";

    public static TheoryData<string, string, string, string, string> Refusals => new()
    {
        { "POST", Cell + "/proposals", "{" + Proposal + "}", "score", "required" },
        { "POST", Cell + "/proposals", "{\"score\":\"1\"," + Proposal + "}", "score", "type" },
        { "POST", Cell + "/proposals", "{\"score\":\"+1\"," + Proposal + "}", "score", "type" },
        { "POST", Cell + "/proposals", "{\"score\":1.5," + Proposal + "}", "score", "type" },
        { "POST", Cell + "/proposals", "{\"score\":0,\"rationale\":\"r\",\"evidenceIds\":[\"e1\"],\"rubricVersion\":\"1\"}",
            "rubricVersion", "type" },
        { "POST", Cell + "/proposals", "{\"score\":0," + Proposal + ",\"coAnalysts\":[null]}", "coAnalysts[0]", "not-null" },
        { "POST", Cell + "/proposals", "{\"score\":0," + Proposal + ",\"expectedVersion\":-1}", "expectedVersion", "minimum" },
        { "POST", Cell + "/proposals", "{\"score\":0," + Proposal + ",\"colour\":\"red\"}", "colour", "unknown-field" },
        { "POST", Cell + "/proposals", "{\"score\":0,\"rationale\":\"a\\u0000b\",\"evidenceIds\":[\"e1\"],\"rubricVersion\":1}",
            "rationale", "control-character" },
        { "POST", Cell + "/proposals", "null", "$", "type" },
        { "POST", Cell + "/proposals", "{\"score\": 0,", "$", "json-syntax" },
        { "POST", "/cycles", "{" + Cycle + "}", "summitStart", "required" },
        { "POST", "/cycles", "{" + Cycle.Replace("\"2025-x\"", "\"" + new string('a', 100_000) + "\"")
            + ",\"summitStart\":\"2025-06-15\"}", "cycleId", "max-length" },
        { "POST", "/cycles", "{" + Cycle + ",\"summitStart\":\"15/06/2025\"}", "summitStart", "format" },
        { "POST", "/cycles/2024-apulia/amendments",
            "{\"summitName\":\"S\",\"hostCity\":\"C\",\"hostCountry\":\"K\",\"summitEnd\":\"2025-06-17\",\"reason\":\"r\"}",
            "summitStart", "required" },
        { "PUT", "/cycles/2024-apulia/windows/interim", "{\"cutoff\":\"2024-12-20\"}", "start", "required" },
        { "PUT", "/cycles/2024-apulia/windows/0", "{\"start\":\"2024-06-15\",\"cutoff\":\"2024-12-20\"}", "kind", "enum" },
        { "POST", Cell + "/evidence", "{\"actionDate\":\"2024-07-12\",\"summary\":\"s\",\"citations\":[null]}", "citations[0]",
            "not-null" },
        { "POST", Cell + "/evidence", "{\"actionDate\":\"2024-07-12\",\"summary\":\"s\",\"citations\":[" + Citation
            + "\"http:\\\\\\\\example.org\"}]}",
            "citations[0].url", "format" },
        { "POST", Cell + "/evidence", "{\"actionDate\":\"2024-07-12\",\"summary\":\"s\",\"strength\":0,\"citations\":[]}", "strength",
            "type" },
        { "POST", Cell + "/evidence", "{\"actionDate\":\"2024-07-12\",\"summary\":\"s\",\"strength\":\"huge\",\"citations\":[]}",
            "strength", "enum" },
        { "POST", Cell + "/evidence", "{\"actionDate\":\"2024-07-12\",\"summary\":\"s\",\"citations\":["
            + string.Join(',', Enumerable.Repeat(Citation + "\"https://example.org\"}", 21)) + "]}", "citations", "max-items" },
        { "POST", $"/cycles/2024-apulia/commitments/{new string('x', 5_000)}/rubrics",
            "{\"rubric\":{\"minus1\":\"a\",\"zero\":\"b\",\"plus1\":\"c\"}}",
            "commitmentId", "max-length" },
    };

    [Theory, MemberData(nameof(Refusals))]
    public async Task a_bad_body_is_400_validation_naming_the_field_and_rule_and_appends_nothing(string method, string route, string json,
        string field, string rule)
    {
        var response = await Director().SendAsync(new HttpRequestMessage(new HttpMethod(method), route) { Content = new StringContent(json,
            Encoding.UTF8, "application/json") });
        await AssertRefused(response, HttpStatusCode.BadRequest, "validation", field, rule);
    }

    [Fact]
    public async Task a_bad_if_match_a_wrong_content_type_and_an_oversized_body_are_problems_naming_what_is_wrong()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Cell + "/proposals") { Content = JsonContent.Create(new { score = 0,
            rationale = "r", evidenceIds = new[] { "e1" }, rubricVersion = 1 }) };
        request.Headers.TryAddWithoutValidation("If-Match", "yesterday");
        await AssertRefused(await Director().SendAsync(request), HttpStatusCode.BadRequest, "validation", "If-Match", "entity-tag");

        var text = new HttpRequestMessage(HttpMethod.Post, "/cycles") { Content = new StringContent("{}", Encoding.UTF8, "text/plain") };
        await AssertRefused(await Director().SendAsync(text), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type",
            "Content-Type", "media-type");

        var huge = "{\"summitName\":\"" + new string('a', JsonLimits.MaxBodyBytes) + "\"}";
        var big = new HttpRequestMessage(HttpMethod.Post, "/cycles") { Content = new StringContent(huge, Encoding.UTF8,
            "application/json") };
        await AssertRefused(await Director().SendAsync(big), HttpStatusCode.RequestEntityTooLarge, "payload-too-large", "body", "max-size");
    }

    [Fact]
    public async Task malformed_json_names_the_line_and_byte()
    {
        var response = await Director().PostAsync("/cycles", new StringContent("{\n  \"cycleId\": \"x\",\n  oops }", Encoding.UTF8,
            "application/json"));
        var problem = await AssertRefused(response, HttpStatusCode.BadRequest, "validation", "$", "json-syntax");
        Assert.Contains("line 3", problem.GetProperty("errors").GetProperty("$")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task a_query_value_of_the_wrong_type_is_400_naming_it()
    {
        var response = await Director().GetAsync("/cycles/2024-apulia/report?kind=interim&asOfSequence=abc");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("asOfSequence", out _), problem.ToString());
    }

    private HttpClient Director() => App.Client("michal", Roles.ComplianceDirector);

    private async Task<JsonElement> AssertRefused(HttpResponseMessage response, HttpStatusCode status, string title, string field,
        string rule)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{response}: {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var rules), $"no error for {field}: {body}");
        Assert.Contains(rule, rules.EnumerateArray().Select(r => r.GetProperty("rule").GetString()));
        Assert.Equal(0, await App.EventCount());
        return problem;
    }
}
