using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceEvents.Cycles;
using ComplianceEvents.Imports;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports;
using ComplianceEvents.Reports.GettingReport;
using ComplianceEvents.Reports.Rendering;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceEvents.IntegrationTests.Reports;

/// <summary>A published edition is immutable: a strong ETag per format, 304 on a match, one rendering per process and format.</summary>
public sealed class EditionServingTests(AppFixture app) : HostTest(app)
{
    private const string Apulia = "2024-apulia";
    private const string Edition = $"/cycles/{Apulia}/report?kind=interim&edition=1";

    private async Task<ReportPublished> Publish()
    {
        await using (var scope = App.Factory.Services.CreateAsyncScope())
            Assert.True((await DatasetImporter.From(scope.ServiceProvider)
                .Import(await File.ReadAllTextAsync(Repo.PathOf("data", "seeds", $"{Apulia}.json")))).Succeeded);
        var published = await App.Client("chair", Roles.Editor).PostAsJsonAsync($"/cycles/{Apulia}/reports/interim/editions", new { });
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        await using var session = App.Store.QuerySession();
        return (await session.LoadAsync<Cycle>(Cycle.StreamKey(Apulia)))!.FindEdition(ReportKind.Interim, 1)!;
    }

    private EditionRenderings Renderings => App.Factory.Services.GetRequiredService<EditionRenderings>();

    [Fact]
    public async Task an_edition_carries_a_strong_etag_per_format_and_answers_a_match_with_304()
    {
        var edition = await Publish();
        var viewer = App.Client("victor", Roles.Viewer);
        var tags = new Dictionary<string, EntityTagHeaderValue>();
        foreach (var format in new[] { "md", "html", "csv", "json" })
        {
            var first = await viewer.GetAsync($"{Edition}&format={format}");
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var etag = first.Headers.ETag!;
            Assert.False(etag.IsWeak);
            Assert.Equal($"\"{edition.ContentHash}.{format}\"", etag.Tag);
            tags[format] = etag;

            // The body is the edition as regenerated from the log, byte for byte.
            await using var session = App.Store.QuerySession();
            var model = (await Reporting.Edition(session, Apulia, ReportKind.Interim, 1))!.Value.Model;
            Assert.Equal(ReportFormats.Render(model, Enum.Parse<ReportFormat>(format, true)), await first.Content.ReadAsStringAsync());

            foreach (var match in new[] { etag.Tag, $"W/{etag.Tag}", $"\"other\", {etag.Tag}", "*" })
            {
                using var again = new HttpRequestMessage(HttpMethod.Get, $"{Edition}&format={format}");
                again.Headers.TryAddWithoutValidation("If-None-Match", match);
                var cached = await viewer.SendAsync(again);
                Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
                Assert.Equal(etag, cached.Headers.ETag);
                Assert.Empty(await cached.Content.ReadAsByteArrayAsync());
            }
            using var stale = new HttpRequestMessage(HttpMethod.Get, $"{Edition}&format={format}");
            stale.Headers.TryAddWithoutValidation("If-None-Match", "\"an-older-edition.md\"");
            Assert.Equal(HttpStatusCode.OK, (await viewer.SendAsync(stale)).StatusCode);
        }
        Assert.Equal(4, tags.Values.Distinct().Count());

        // The report as of now is not an edition: no validator.
        Assert.Null((await viewer.GetAsync($"/cycles/{Apulia}/report?kind=interim")).Headers.ETag);
    }

    [Fact]
    public async Task fifty_concurrent_first_requests_render_an_edition_once_and_verify_still_regenerates_from_the_log()
    {
        await Publish();
        var viewer = App.Client("victor", Roles.Viewer);
        var before = Renderings.Renders;
        using var start = new SemaphoreSlim(0);
        var requests = Enumerable.Range(0, 50).Select(async _ =>
        {
            await start.WaitAsync();
            var answer = await viewer.GetAsync($"{Edition}&format=html");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            return await answer.Content.ReadAsStringAsync();
        }).ToList();
        start.Release(50);
        var bodies = await Task.WhenAll(requests);
        Assert.Single(bodies.Distinct());
        Assert.Equal(before + 1, Renderings.Renders);

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"{Edition}&format=html")).StatusCode);
        Assert.Equal(before + 1, Renderings.Renders);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"{Edition}&format=md")).StatusCode);
        Assert.Equal(before + 2, Renderings.Renders);

        // verify regenerates from the log on every call: it does not go through the renderings.
        for (var i = 0; i < 2; i++)
        {
            var verification = await viewer.GetFromJsonAsync<JsonElement>($"/cycles/{Apulia}/reports/interim/editions/1/verification");
            Assert.True(verification.GetProperty("identical").GetBoolean());
        }
        Assert.Equal(before + 2, Renderings.Renders);
    }

    [Fact]
    public async Task past_its_budget_the_least_recently_served_rendering_is_dropped_and_regenerated_when_asked_again()
    {
        var edition = await Publish();
        await using var session = App.Store.QuerySession();
        var model = (await Reporting.Edition(session, Apulia, ReportKind.Interim, 1))!.Value.Model;
        var md = ReportFormats.Render(model, ReportFormat.Md).Length;
        var csv = ReportFormats.Render(model, ReportFormat.Csv).Length;
        // Room for the Markdown and the CSV, not for the HTML as well.
        var renderings = new EditionRenderings(App.Store, budget: md + csv + 1);
        await renderings.Get(Apulia, edition, ReportFormat.Md, default);
        await renderings.Get(Apulia, edition, ReportFormat.Csv, default);
        await renderings.Get(Apulia, edition, ReportFormat.Md, default);
        Assert.Equal(2, renderings.Renders);

        // Over budget: finished renderings are dropped, least recently served first (the CSV, then the Markdown), down to
        // half the budget; the HTML being rendered stays.
        await renderings.Get(Apulia, edition, ReportFormat.Html, default);
        await renderings.Get(Apulia, edition, ReportFormat.Html, default);
        Assert.Equal(3, renderings.Renders);
        Assert.Equal(ReportFormats.Render(model, ReportFormat.Csv), await renderings.Get(Apulia, edition, ReportFormat.Csv, default));
        Assert.Equal(4, renderings.Renders);
        await renderings.Get(Apulia, edition, ReportFormat.Md, default);
        Assert.Equal(5, renderings.Renders);
    }
}
