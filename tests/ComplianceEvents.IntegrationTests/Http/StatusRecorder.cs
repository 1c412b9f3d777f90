using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ComplianceEvents.IntegrationTests.Http;

/// <summary>
/// Records (method, route template, status) of every answer the shared test host gives, so the suite can check that
/// each status it saw is documented for that route in the served OpenAPI document (issue "checks in CI").
/// </summary>
public sealed class StatusRecorder : IStartupFilter
{
    public static readonly ConcurrentDictionary<(string Method, string Route, int Status), int> Seen = new();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (http, nextMiddleware) =>
        {
            await nextMiddleware(http);
            if (http.GetEndpoint() is RouteEndpoint endpoint)
                Seen.AddOrUpdate((http.Request.Method, "/" + endpoint.RoutePattern.RawText!.TrimStart('/'), http.Response.StatusCode), 1,
                    (_, n) => n + 1);
        });
        next(app);
    };

    /// <summary>Every recorded answer the document does not list for its operation.</summary>
    public static List<string> Undocumented(string openApiJson)
    {
        var paths = JsonDocument.Parse(openApiJson).RootElement.GetProperty("paths");
        var missing = new List<string>();
        foreach (var ((method, route, status), count) in Seen)
        {
            if (route.StartsWith("/openapi") || route.StartsWith("/docs")) continue;
            var documented = paths.TryGetProperty(route, out var item) && item.TryGetProperty(method.ToLowerInvariant(), out var operation)
                && operation.GetProperty("responses").TryGetProperty(status.ToString(), out _);
            if (!documented) missing.Add($"{method} {route} answered {status} ({count}x)");
        }
        return missing;
    }
}
