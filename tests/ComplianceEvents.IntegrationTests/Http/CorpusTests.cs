using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Auth;
using CsCheck;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ComplianceEvents.IntegrationTests.Http;

/// <summary>
/// The generated corpus (docs/reliability.md): invalid and valid bodies over every write route, from each route's input
/// contract, through the in-process host. Invalid: 400/413/415 problem+json naming the broken field, nothing appended.
/// Valid: each sent where its world exists (CorpusWorld builds it first, fresh ids per payload), all answered 2xx.
/// </summary>
public sealed class CorpusTests(AppFixture app, ITestOutputHelper output) : HostTest(app)
{
    private const int Invalid = 1_200, Valid = 240;

    private sealed record Route(string Method, string Template, JsonShape Shape)
    {
        public string Url => Fill(Template);
    }

    private sealed record Case(Route Route, string Body, string ContentType, string Field, int[] Statuses, string? Url = null);
    private sealed record Slot(JsonObject Parent, string Name, JsonField Field, string Path);

    [Fact]
    public async Task invalid_bodies_are_refused_naming_the_field_and_valid_ones_are_accepted()
    {
        var routes = WriteRoutes();
        Assert.True(routes.Count >= 18, $"only {routes.Count} write routes");
        int[] seeds = [];
        Check.Sample(Gen.Int[0, int.MaxValue].Array[Invalid + Valid], s => { seeds = s; }, iter: 1, threads: 1);
        var invalid = seeds.Take(Invalid).Select((seed, i) => Mutate(routes[i % routes.Count], new Random(seed))).ToList();

        var clock = Stopwatch.StartNew();
        var before = await App.EventCount();
        var invalidAnswers = await Answer(invalid);
        var appendedByInvalid = await App.EventCount() - before;
        var world = new CorpusWorld(App);
        await world.Build();
        var valid = new Case[Valid];
        await Parallel.ForEachAsync(Enumerable.Range(0, Valid), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
            valid[i] = await ValidCase(world, routes[i % routes.Count], i, new Random(seeds[Invalid + i])));
        // Webhook subscriptions last: an event appended after one would be delivered to its URL.
        var validAnswers = (await Answer(valid.Where(c => !IsWebhook(c)).ToList()))
            .Concat(await Answer(valid.Where(IsWebhook).ToList())).ToList();
        var validSent = valid.Where(c => !IsWebhook(c)).Concat(valid.Where(IsWebhook)).ToList();
        var failures = invalid.Zip(invalidAnswers).Where(x => !x.Second.Ok).Select(x
            => $"INVALID {x.First.Route.Method} {x.First.Route.Url} {x.First.Body[..Math.Min(300, x.First.Body.Length)]} -> {x.Second.Why}")
            .Concat(validSent.Zip(validAnswers).Where(x => !x.Second.Ok).Select(x
                => $"VALID {x.First.Route.Method} {x.First.Url} {x.First.Body[..Math.Min(300, x.First.Body.Length)]} -> " +
                    $"{x.Second.Why}"))
            .ToList();
        var fiveHundreds = invalidAnswers.Concat(validAnswers).Count(a => a.Status >= 500);
        output.WriteLine($"corpus: {invalid.Count} invalid ({invalidAnswers.Count(a => a.Ok)} refused as expected), {valid.Length} valid "
            + $"({validAnswers.Count(a => a.Ok)} accepted with 2xx), {fiveHundreds} 5xx, {appendedByInvalid} events appended by " +
                $"invalid payloads, {routes.Count} routes, {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(failures.Count == 0, $"{failures.Count} unexpected answers:\n" + string.Join("\n", failures.DistinctBy(f
            => f[..60]).Take(15)));
        Assert.Equal(0, fiveHundreds);
        Assert.Equal(0, appendedByInvalid);
    }

    private List<Route> WriteRoutes() =>
        App.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is not null)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Where(m => m is "POST" or "PUT")
                .Select(m => new Route(m, "/" + e.RoutePattern.RawText!.TrimStart('/'),
                    JsonContract.BodyOf(e.Metadata.GetMetadata<IAcceptsMetadata>()!.RequestType!, e.RoutePattern.Parameters.Select(p
                        => p.Name)))))
            .OrderBy(r => r.Template).ToList();

    private static string Fill(string route) => route
        .Replace("{cycleId}", "2099-none").Replace("{commitmentId}", "19").Replace("{memberCode}", "CA").Replace("{kind}", "interim")
        .Replace("{evidenceId}", "e1").Replace("{proposalId}", "p1").Replace("{id}", "6f2c3a1e-0000-4000-8000-000000000001");

    private static async Task<Case> ValidCase(CorpusWorld world, Route route, int i, Random random)
    {
        var body = (JsonObject)JsonExamples.Example(route.Shape, random)!;
        Fix(body);
        var url = await world.Prepare(route.Shape.Type, route.Template, i, body);
        return new Case(route, body.ToJsonString(), "application/json", "", [], url);
    }

    private static bool IsWebhook(Case c) => c.Route.Shape.Type.Name == "SubscribeWebhook";

    /// <summary>Rules across fields that a shape cannot say (validators): unique codes, dates in order, known event types, a long secret,
    /// min not above max nor above the world's three dimensions.</summary>
    private static void Fix(JsonObject body)
    {
        if (body["members"] is JsonArray members) foreach (var (m, i) in members.Select((m, i) => (m, i))) m!["code"] = new[] { "CA", "FR",
            "DE" }[i];
        if (body["dimensions"] is JsonArray dims && dims.FirstOrDefault() is JsonObject)
            foreach (var (d, i) in dims.Select((d, i) => (d, i))) d!["code"] = $"d{i}";
        if (body.ContainsKey("eventTypes")) body["eventTypes"] = new JsonArray("*");
        if (body.ContainsKey("secret")) body["secret"] = new string('s', 40);
        if (body.ContainsKey("summitStart")) { body["summitStart"] = "2099-06-01"; body["summitEnd"] = "2099-06-03"; }
        if (body.ContainsKey("start")) { body["start"] = "2099-06-03"; body["cutoff"] = "2099-12-01"; }
        if (body["url"] is not null && body.ContainsKey("eventTypes")) body["url"] = "https://example.org/hook";
        foreach (var rule in (body["rubric"]?["dimensionRules"] as JsonArray ?? []).OfType<JsonObject>())
            if (rule["when"] is JsonObject when)
                foreach (var count in new[] { "Strong", "Weak", "Contradictory" })
                {
                    // The corpus world's commitments have three dimensions: a rule cannot ask for more.
                    if (when[$"min{count}"] is JsonValue tooMany && tooMany.GetValue<long>() > 3) when[$"min{count}"] = 3L;
                    if (when[$"min{count}"] is JsonValue min && when[$"max{count}"] is JsonValue max
                        && min.GetValue<long>() > max.GetValue<long>())
                        (when[$"min{count}"], when[$"max{count}"]) = (max.GetValue<long>(), min.GetValue<long>());
                }
    }

    private static Case Mutate(Route route, Random random)
    {
        var body = JsonExamples.ExampleBody(route.Shape);
        Fix(body);
        var slots = Slots(body, route.Shape, "").ToList();
        string Json() => body.ToJsonString();
        var bad = new[] { 400 };
        switch (random.Next(12))
        {
            case 0: return new Case(route, Json()[..(Json().Length / 2)], "application/json", "$", bad);
            case 1: return new Case(route, random.Next(2) == 0 ? "null" : "[1,2]", "application/json", "$", bad);
            case 2: return new Case(route, Json(), random.Next(2) == 0 ? "text/plain" : "application/xml", "Content-Type", [415]);
            case 3:
                body["padding" + random.Next(100)] = new string('x', JsonLimits.MaxBodyBytes);
                return new Case(route, Json(), "application/json", "body", [413]);
        }
        if (slots.Count == 0)
        {
            body["unknown"] = 1;
            return new Case(route, Json(), "application/json", "unknown", bad);
        }
        var slot = slots[random.Next(slots.Count)];
        var s = slot.Field.Shape;
        switch (random.Next(8))
        {
            case 0 when slot.Field.Required:
                slot.Parent.Remove(slot.Name); break;
            case 1 when !s.Nullable:
                slot.Parent[slot.Name] = null; break;
            case 2:
                var name = "unknown" + random.Next(1000);
                slot.Parent[name] = 1;
                return new Case(route, Json(), "application/json", slot.Path[..^slot.Name.Length] + name, bad);
            case 3 when s.Kind is JsonKind.String:
                var control = (char)random.Next(0, 32);
                slot.Parent[slot.Name] = "a" + (control is '\t' or '\n' ? '\u0001' : control); break;
            case 4 when s.Kind is JsonKind.String or JsonKind.Date or JsonKind.Enum:
                slot.Parent[slot.Name] = new string('a', (s.Limit.MaxLength ?? JsonLimits.DefaultMaxLength) + 1 + random.Next(50)); break;
            case 5 when s.Kind is JsonKind.Array:
                slot.Parent[slot.Name] = new JsonArray(Enumerable.Range(0, (s.Limit.MaxItems ?? 0) + 1).Select(_
                    => JsonExamples.Example(s.Items!, null)).ToArray()); break;
            case 6 when s.Kind is JsonKind.Integer:
                slot.Parent[slot.Name] = random.Next(2) == 0 ? (s.Limit.Minimum
                    ?? int.MinValue) - 1 - random.Next(5) : JsonValue.Create(random.Next(2) == 0 ? "1" : "+1")!;
                if (slot.Parent[slot.Name] is JsonValue v && v.TryGetValue<long>(out var n)
                    && n < int.MinValue) slot.Parent[slot.Name] = 1.5;
                break;
            default:
                slot.Parent[slot.Name] = s.Kind switch
                {
                    JsonKind.String or JsonKind.Date or JsonKind.Enum => random.Next(2) == 0 ? 12345 : JsonValue.Create(true),
                    JsonKind.Integer => "12",
                    JsonKind.Array => new JsonObject(),
                    JsonKind.Boolean => "yes",
                    _ => new JsonArray(),
                };
                break;
        }
        return new Case(route, Json(), "application/json", slot.Path, bad);
    }

    private static IEnumerable<Slot> Slots(JsonObject node, JsonShape shape, string path)
    {
        foreach (var field in shape.Fields!.Where(f => f.Shape.Kind != JsonKind.Any)) // a dead letter's replacement message is any JSON
        {
            var at = path.Length == 0 ? field.Name : $"{path}.{field.Name}";
            if (!node.ContainsKey(field.Name)) { if (field.Required) yield return new Slot(node, field.Name, field, at); continue; }
            yield return new Slot(node, field.Name, field, at);
            if (field.Shape.Kind == JsonKind.Object && node[field.Name] is JsonObject child)
                foreach (var s in Slots(child, field.Shape, at)) yield return s;
            if (field.Shape.Kind == JsonKind.Array && field.Shape.Items!.Kind == JsonKind.Object
                && node[field.Name] is JsonArray { Count: > 0 } a && a[0] is JsonObject first)
                foreach (var s in Slots(first, field.Shape.Items, at + "[0]")) yield return s;
        }
    }

    private sealed record Outcome(bool Ok, int Status, string Why);

    /// <summary>Answers in batches of eight concurrent requests (the host is in process: no sockets, no ports).</summary>
    private async Task<List<Outcome>> Answer(List<Case> cases)
    {
        var client = App.ClientFor("michal", [Roles.ComplianceDirector], null);
        var outcomes = new Outcome[cases.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, cases.Count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var c = cases[i];
            using var request = new HttpRequestMessage(new HttpMethod(c.Route.Method), c.Url ?? c.Route.Url)
            {
                Content = new StringContent(c.Body, Encoding.UTF8, c.ContentType),
            };
            using var response = await client.SendAsync(request, ct);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(ct);
            outcomes[i] = c.Statuses.Length == 0
                ? new Outcome(status is >= 200 and < 300, status, $"{status} {text}")
                : new Outcome(c.Statuses.Contains(status) && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                    && Names(text, c.Field), status, $"{status} {text}");
        });
        return outcomes.ToList();
    }

    private static bool Names(string problem, string field)
    {
        try { return JsonDocument.Parse(problem).RootElement.GetProperty("errors").TryGetProperty(field, out _); }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { return false; }
    }
}
