using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceEvents.Imports;
using ComplianceEvents.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace ComplianceEvents.IntegrationTests.Http;

/// <summary>Every read of the served OpenAPI document declares the schema of what it answers, and answers what it declares.</summary>
public sealed class ReadSchemaTests(AppFixture app) : HostTest(app)
{
    private const string Cycle = "/cycles/2024-apulia";
    private const string Cell = Cycle + "/commitments/19/assessments/CA";

    private async Task<JsonElement> Document() =>
        JsonDocument.Parse(await App.Factory.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;

    [Fact]
    public async Task every_success_of_every_operation_declares_a_typed_schema_for_each_media_type()
    {
        var doc = await Document();
        var problems = new List<string>();
        var gets = 0;
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject())
        {
            if (operation.Name == "get") gets++;
            var successes = operation.Value.GetProperty("responses").EnumerateObject().Where(r => r.Name.StartsWith('2')).ToList();
            if (successes.Count == 0) problems.Add($"{operation.Name} {path.Name}: no 2xx response");
            foreach (var response in successes)
            {
                var at = $"{operation.Name.ToUpperInvariant()} {path.Name} {response.Name}";
                if (!response.Value.TryGetProperty("content", out var content) || !content.EnumerateObject().Any())
                {
                    problems.Add($"{at}: no content");
                    continue;
                }
                foreach (var media in content.EnumerateObject())
                    if (!media.Value.TryGetProperty("schema", out var schema)) problems.Add($"{at} {media.Name}: no schema");
                    else problems.AddRange(SchemaCheck.Untyped(doc, schema, $"{at} {media.Name}", media.Name.StartsWith("text/")));
            }
        }
        Assert.True(gets >= 15, $"only {gets} GET routes in the document");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task the_reports_text_formats_are_documented_as_text_and_its_json_as_the_report()
    {
        var content = (await Document()).GetProperty("paths").GetProperty(Cycle.Replace("2024-apulia", "{cycleId}") + "/report")
            .GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content");
        foreach (var media in new[] { "text/markdown", "text/html", "text/csv" })
            Assert.Equal("string", content.GetProperty(media).GetProperty("schema").GetProperty("type").GetString());
        Assert.EndsWith("/ReportJson", content.GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
    }

    [Fact]
    public async Task reads_of_an_imported_seed_answer_what_their_documented_schema_says()
    {
        await using (var scope = App.Factory.Services.CreateAsyncScope())
        {
            var imported = await DatasetImporter.From(scope.ServiceProvider)
                .Import(await File.ReadAllTextAsync(Repo.PathOf("data", "seeds", "2024-apulia.json")));
            Assert.True(imported.Succeeded, imported.Summary());
        }
        var director = App.Client("michal", Roles.ComplianceDirector);
        var final = await director.PutAsJsonAsync(Cycle + "/windows/final", new { start = "2024-06-15", cutoff = "2025-06-01" });
        Assert.Equal(HttpStatusCode.OK, final.StatusCode);
        var published = await director.PostAsJsonAsync(Cycle + "/reports/interim/editions", new { });
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);

        var doc = await Document();
        string[] reads =
        [
            Cycle, Cycle + "/commitments/19", Cell, Cycle + "/scores", Cycle + "/scores?kind=interim", Cycle + "/report?format=json",
            Cycle + "/report?kind=interim&format=json", Cycle + "/report?kind=interim&edition=1&format=json",
            Cycle + "/report?format=md", Cycle + "/report?format=html", Cycle + "/report?format=csv", Cell + "/audit",
            Cell + "/explanation?from=0&to=interim", Cycle + "/stale-approvals", Cycle + "/comparison",
            Cycle + "/reports/interim/editions/1/verification", "/integration/webhooks", "/integration/dead-letters", "/health",
        ];
        var failures = new List<string>();
        foreach (var url in reads)
        {
            var response = await director.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"{url}: {(int)response.StatusCode} {body}");
                continue;
            }
            var media = response.Content.Headers.ContentType!.MediaType!;
            var schema = SchemaCheck.Documented(doc, url, media);
            if (schema is null) failures.Add($"{url}: {media} is not documented for 200");
            else if (media.StartsWith("text/")) Assert.False(string.IsNullOrWhiteSpace(body), url);
            else failures.AddRange(SchemaCheck.Validate(doc, schema.Value, JsonDocument.Parse(body).RootElement, url));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));
    }
}
