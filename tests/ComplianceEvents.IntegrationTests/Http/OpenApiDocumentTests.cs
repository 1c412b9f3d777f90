using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Auth;
using ComplianceEvents.IntegrationTests.Cycles;

namespace ComplianceEvents.IntegrationTests.Http;

/// <summary>The served OpenAPI document tells the truth (docs/api.md), and passes both linters with zero errors.</summary>
public sealed class OpenApiDocumentTests(AppFixture app) : HostTest(app)
{
    private static readonly string[] Open = ["/health", "/openapi/{documentName}.json", "/docs"];

    private async Task<JsonElement> Document() =>
        JsonDocument.Parse(await App.Factory.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;

    [Fact]
    public async Task every_protected_operation_declares_bearer_and_every_error_it_can_answer_as_problem_json()
    {
        var doc = await Document();
        Assert.Equal("bearer",
            doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
        foreach (var path in doc.GetProperty("paths").EnumerateObject().Where(p => !Open.Contains(p.Name)))
        foreach (var op in path.Value.EnumerateObject())
        {
            var name = $"{op.Name} {path.Name}";
            Assert.True(op.Value.GetProperty("security")[0].TryGetProperty("bearer", out _), name);
            Assert.False(string.IsNullOrWhiteSpace(op.Value.GetProperty("summary").GetString()), name);
            var responses = op.Value.GetProperty("responses");
            foreach (var status in new[] { "400", "401", "403", "404", "409", "503" })
                Assert.True(responses.GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _),
                    $"{name} {status}");
            Assert.True(responses.GetProperty("401").GetProperty("headers").TryGetProperty("WWW-Authenticate", out _), name);
            Assert.False(responses.TryGetProperty("500", out _), name);
        }
    }

    [Fact]
    public async Task request_bodies_leave_route_values_out_make_nullable_fields_optional_and_carry_the_limits()
    {
        var doc = await Document();
        JsonElement Body(string path, string method) => doc.GetProperty("paths").GetProperty(path).GetProperty(method)
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        var propose = Body("/cycles/{cycleId}/commitments/{commitmentId}/assessments/{memberCode}/proposals", "post");
        var schema = propose.GetProperty("schema");
        var properties = schema.GetProperty("properties");
        Assert.False(properties.TryGetProperty("cycleId", out _));
        Assert.False(properties.TryGetProperty("memberCode", out _));
        Assert.Equal(-1, properties.GetProperty("score").GetProperty("minimum").GetInt32());
        Assert.Equal(1, properties.GetProperty("score").GetProperty("maximum").GetInt32());
        Assert.Equal(10, properties.GetProperty("coAnalysts").GetProperty("maxItems").GetInt32());
        var required = schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ToList();
        Assert.Contains("score", required);
        Assert.DoesNotContain("coAnalysts", required);
        Assert.DoesNotContain("expectedVersion", required);
        Assert.Equal(JsonValueKind.Object, propose.GetProperty("example").ValueKind);

        var evidence = Body("/cycles/{cycleId}/commitments/{commitmentId}/assessments/{memberCode}/evidence",
            "post").GetProperty("schema").GetProperty("properties");
        Assert.Equal(20, evidence.GetProperty("citations").GetProperty("maxItems").GetInt32());
        var citation = evidence.GetProperty("citations").GetProperty("items").GetProperty("properties");
        Assert.Equal("uri", citation.GetProperty("url").GetProperty("format").GetString());
        Assert.Equal(200, citation.GetProperty("place").GetProperty("maxLength").GetInt32());
        Assert.Contains("strong", evidence.GetProperty("strength").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        var cycle = Body("/cycles", "post").GetProperty("schema");
        Assert.Equal("^[a-z0-9]+(-[a-z0-9]+)*$", cycle.GetProperty("properties").GetProperty("cycleId").GetProperty("pattern").GetString());
        Assert.DoesNotContain("preparedBy", cycle.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task get_cycle_returns_members_windows_editions_and_an_etag_and_a_401_says_how_to_authenticate()
    {
        var director = App.Client("michal", Roles.ComplianceDirector);
        var created = await director.PostAsJsonAsync("/cycles", OpeningCycleTests.Apulia(), ApiJson.Options);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var got = await director.GetAsync(created.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal("\"1\"", got.Headers.ETag?.Tag);
        var view = await got.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(view.GetProperty("members").GetArrayLength() > 0);
        Assert.Equal(JsonValueKind.Array, view.GetProperty("windows").ValueKind);
        Assert.Equal(JsonValueKind.Array, view.GetProperty("editions").ValueKind);

        var schema = (await Document()).GetProperty("paths").GetProperty("/cycles/{cycleId}").GetProperty("get").GetProperty("responses")
            .GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.True(schema.TryGetProperty("$ref", out _) || schema.TryGetProperty("properties", out _), schema.ToString());

        var anonymous = await App.Factory.CreateClient().GetAsync("/cycles/2024-apulia");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task every_status_the_suite_has_seen_so_far_is_documented_for_its_route()
    {
        // The fixture checks the whole run again when the host stops; this fails visibly on what ran before it.
        await App.Client("michal", Roles.ComplianceDirector).GetAsync("/cycles/none-such");
        Assert.NotEmpty(StatusRecorder.Seen);
        var undocumented = StatusRecorder.Undocumented(await App.Factory.CreateClient().GetStringAsync("/openapi/v1.json"));
        Assert.True(undocumented.Count == 0, string.Join("\n", undocumented));
    }

    [Theory]
    [InlineData("redocly", "lint --extends recommended --format stylish {0}")]
    [InlineData("spectral", "lint --ruleset {1} --fail-severity error {0}")]
    public async Task the_served_document_passes_the_linter_with_zero_errors(string tool, string arguments)
    {
        var bin = Path.Combine(Repo.Root, ".tools", "node_modules", ".bin", tool);
        Assert.True(File.Exists(bin), $"{bin} is missing: ./test installs it (npm install --prefix .tools)");
        var dir = Directory.CreateTempSubdirectory("openapi-lint");
        var file = Path.Combine(dir.FullName, "openapi.json");
        await File.WriteAllTextAsync(file, await App.Factory.CreateClient().GetStringAsync("/openapi/v1.json"));
        var ruleset = Path.Combine(dir.FullName, ".spectral.yaml");
        await File.WriteAllTextAsync(ruleset, "extends: [\"spectral:oas\"]\n");
        var start = new ProcessStartInfo(bin, string.Format(arguments, file, ruleset)) { RedirectStandardOutput = true,
            RedirectStandardError = true, WorkingDirectory = dir.FullName };
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} exit {process.ExitCode}:\n{await stdout}\n{await stderr}");
        dir.Delete(true);
    }
}
