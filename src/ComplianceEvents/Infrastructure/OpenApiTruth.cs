using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// Makes the served OpenAPI document say what the host does (docs/api.md): the bearer scheme on every protected
/// operation, every status an operation answers with the problem schema, request bodies from the input contract
/// (route values left out, nullable fields optional, the limits as schema keywords) and an example per command.
/// It rewrites the generated JSON, so it depends on no object model of one OpenAPI library version.
/// </summary>
public static partial class OpenApiTruth
{
    private const string Problem = "#/components/schemas/Problem";
    private static readonly HashSet<string> Anonymous = ["/health", "/openapi/{documentName}.json", "/docs"];
    /// <summary>Commands that create a resource answer 201 with a Location that answers GET.</summary>
    private static readonly HashSet<string> Creating = ["OpenCycle", "SelectCommitment", "RecordEvidence", "ProposeScore", "PublishReport",
        "SubscribeWebhook"];

    public static IApplicationBuilder UseTruthfulOpenApi(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!http.Request.Path.StartsWithSegments("/openapi")) { await next(http); return; }
        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try { await next(http); }
        finally { http.Response.Body = original; }
        if (http.Response.StatusCode != StatusCodes.Status200OK) { await original.WriteAsync(buffer.ToArray()); return; }
        var document = JsonNode.Parse(buffer.ToArray())!.AsObject();
        Rewrite(document, http.RequestServices.GetRequiredService<EndpointDataSource>());
        var bytes = JsonSerializer.SerializeToUtf8Bytes(document, new JsonSerializerOptions { WriteIndented = true });
        http.Response.ContentLength = bytes.Length;
        await original.WriteAsync(bytes);
    });

    public static void Rewrite(JsonObject document, EndpointDataSource endpoints)
    {
        var routes = endpoints.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m
                => (Key: $"{m} /{e.RoutePattern.RawText!.TrimStart('/')}", e)))
            .GroupBy(x => x.Key).ToDictionary(g => g.Key, g => g.First().e);
        document["info"]!["description"] = "Event-sourced compliance scoring of G7 summit commitments. Errors are RFC 9457 problem " +
            "details.";
        document["info"]!["license"] = new JsonObject { ["name"] = "Proprietary", ["identifier"] = "LicenseRef-Proprietary" };
        document["servers"] = new JsonArray(new JsonObject { ["url"] = "http://localhost:5000",
            ["description"] = "Local development host" });
        var components = document["components"] as JsonObject ?? new JsonObject();
        document["components"] = components;
        components["securitySchemes"] = new JsonObject
        {
            ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["bearerFormat"] = "JWT",
                ["description"] = "A token minted by the token command or the issuer." },
        };
        var schemas = components["schemas"] as JsonObject ?? new JsonObject();
        components["schemas"] = schemas;
        schemas["Problem"] = ProblemSchema();
        foreach (var (path, item) in document["paths"]!.AsObject())
        foreach (var (method, node) in item!.AsObject().ToList())
        {
            if (node is not JsonObject operation) continue;
            var key = $"{method.ToUpperInvariant()} {path}";
            var endpoint = routes.GetValueOrDefault(key);
            Describe(operation, path, method, endpoint);
        }
        document["tags"] = new JsonArray(document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject())
            .SelectMany(o => o.Value?["tags"]?.AsArray().Select(t => t!.GetValue<string>()) ?? [])
            .Distinct().Order().Select(t => (JsonNode)new JsonObject { ["name"] = t, ["description"] = $"{t} routes." }).ToArray());
    }

    private static void Describe(JsonObject operation, string path, string method, RouteEndpoint? endpoint)
    {
        var id = operation["operationId"]?.GetValue<string>() ?? (method + path);
        operation["summary"] ??= Words(id);
        operation["description"] ??= $"{Words(id)} (docs/api.md).";
        var isAnonymous = Anonymous.Contains(path);
        operation["security"] = isAnonymous ? new JsonArray() : new JsonArray(new JsonObject { ["bearer"] = new JsonArray() });
        var requestType = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        var isWrite = method is "post" or "put";
        var responses = operation["responses"] as JsonObject ?? new JsonObject();
        responses.Remove("500");
        if (requestType is not null && isWrite)
        {
            var shape = JsonContract.BodyOf(requestType, endpoint!.RoutePattern.Parameters.Select(p => p.Name));
            operation["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject
                {
                    ["application/json"] = new JsonObject { ["schema"] = Schema(shape), ["example"] = JsonExamples.ExampleBody(shape) },
                },
            };
            var success = Creating.Contains(id) ? "201" : "200";
            var result = new JsonObject
            {
                ["description"] = success == "201" ? "Created: the command was accepted; Location answers GET." : "Accepted: the " +
                    "command's result.",
                ["headers"] = new JsonObject { ["ETag"] = Header("The stream's new version.") },
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = CommandResultSchema() } },
            };
            if (success == "201") result["headers"]!["Location"] = Header("A URL of the new resource that answers GET.");
            responses.Remove("200");
            responses[success] = result;
            if (success == "201") responses["200"] = Response("A repeated Idempotency-Key: the first answer (Idempotent-Replay: true).",
                CommandResultSchema());
            responses["413"] = ProblemResponse("The body is larger than the limit.");
            responses["415"] = ProblemResponse("The body is not application/json.");
            responses["422"] = ProblemResponse("Well-formed, but the method forbids it.");
        }
        else if (responses["200"] is JsonObject ok && ok["description"] is null) ok["description"] = "OK";
        if (method == "delete") responses["200"] = Response("Accepted: the command's result.", CommandResultSchema());
        if (method == "get") TextResponses(responses, endpoint);
        if (path == "/health")
        {
            responses["200"] = Response("Healthy: the database answers and no projection is behind; degraded (still 200) when a " +
                "warning says what needs a look, e.g. a queue backlog.", HealthSchema());
            responses["503"] = Response("Unhealthy: the reasons say why.", HealthSchema());
        }
        responses["400"] = ProblemResponse("Bad input: every failing field (JSON path) and rule in errors.");
        if (!isAnonymous)
        {
            var unauthorized = ProblemResponse("No token, or an invalid or expired one.");
            unauthorized["headers"] = new JsonObject { ["WWW-Authenticate"] = Header("Bearer, with error=\"invalid_token\" for a bad " +
                "token.") };
            responses["401"] = unauthorized;
            responses["403"] = ProblemResponse("The role does not allow it.");
            responses["404"] = ProblemResponse("An unknown cycle, commitment, member, evidence, proposal or edition.");
            responses["409"] = ProblemResponse("A version or rule conflict, or an as-of point beyond the settled log.");
        }
        if (path != "/health")
            responses["503"] = ProblemResponse("The database is unreachable or writers did not settle; nothing was appended.");
        operation["responses"] = responses;
        foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
            if (parameter is JsonObject p && p["in"]?.GetValue<string>() == "path" && p["schema"] is JsonObject s)
                Limit(s, p["name"]!.GetValue<string>() == "kind" ? null : JsonLimits.For(null, p["name"]!.GetValue<string>()),
                    p["name"]!.GetValue<string>() == "kind" ? ["interim", "final"] : null);
    }

    /// <summary>
    /// The document keeps one response type per status, so a read that also answers text (a report as Markdown, HTML or CSV)
    /// gets those media types here, from the endpoint's <c>ProducesResponseType&lt;string&gt;</c> (an MVC attribute, which
    /// Wolverine keeps as metadata but the generator does not merge with the response's other type).
    /// </summary>
    private static void TextResponses(JsonObject responses, RouteEndpoint? endpoint)
    {
        foreach (var produced in endpoint?.Metadata.OfType<Microsoft.AspNetCore.Mvc.ApiExplorer.IApiResponseMetadataProvider>() ?? [])
        {
            if (produced.Type != typeof(string) || responses[produced.StatusCode.ToString()] is not JsonObject response) continue;
            var content = response["content"] as JsonObject ?? new JsonObject();
            response["content"] = content;
            var types = new Microsoft.AspNetCore.Mvc.Formatters.MediaTypeCollection();
            produced.SetContentTypes(types);
            foreach (var type in types)
                content[type] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } };
        }
    }

    /// <summary>/health's answer (Infrastructure/Health.cs and each status check's entry).</summary>
    private static JsonObject HealthSchema() => new()
    {
        ["type"] = "object",
        ["required"] = new JsonArray("status"),
        ["properties"] = new JsonObject
        {
            ["status"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("healthy", "degraded", "unhealthy") },
            ["database"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("reachable", "unreachable") },
            ["eventHighWaterMark"] = new JsonObject { ["type"] = "integer", ["format"] = "int64" },
            ["projections"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { ["mode"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("inline",
                    "async") }, ["lag"] = new JsonObject { ["type"] = "integer", ["format"] = "int64" } },
            },
            ["paused"] = new JsonObject
            {
                ["type"] = "array",
                ["items"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["shard"] = new JsonObject { ["type"] = "string" },
                        ["position"] = new JsonObject { ["type"] = "integer", ["format"] = "int64" },
                        ["since"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
                        ["lastFailedAt"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
                        ["attempts"] = new JsonObject { ["type"] = "integer" },
                        ["category"] = new JsonObject { ["type"] = "string" },
                        ["event"] = new JsonObject
                        {
                            ["type"] = new JsonArray("object", "null"),
                            ["properties"] = new JsonObject
                            {
                                ["sequence"] = new JsonObject { ["type"] = "integer", ["format"] = "int64" },
                                ["stream"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
                                ["version"] = new JsonObject { ["type"] = new JsonArray("integer", "null"), ["format"] = "int64" },
                                ["type"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
                            },
                        },
                        ["error"] = new JsonObject { ["type"] = "string" },
                    },
                },
            },
            ["readModels"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["status"] = new JsonObject { ["type"] = "string" },
                    ["drifted"] = new JsonObject { ["type"] = "integer" },
                    ["checkedAt"] = new JsonObject { ["type"] = new JsonArray("string", "null"), ["format"] = "date-time" },
                },
            },
            ["queues"] = new JsonObject
            {
                ["type"] = "array",
                ["items"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["queue"] = new JsonObject { ["type"] = "string" },
                        ["direction"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("inbound", "outbound") },
                        ["count"] = new JsonObject { ["type"] = "integer", ["format"] = "int64" },
                        ["oldestSeconds"] = new JsonObject { ["type"] = "integer", ["format"] = "int64" },
                    },
                },
            },
            ["retention"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["lastSweepAt"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
                    ["removed"] = new JsonObject
                    {
                        ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "integer" },
                    },
                    ["removedDeadLetters"] = new JsonObject { ["type"] = "integer" },
                },
            },
            ["reasons"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
            ["warnings"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
        },
    };

    private static JsonObject Schema(JsonShape s)
    {
        var schema = s.Kind switch
        {
            JsonKind.String => new JsonObject { ["type"] = "string" },
            JsonKind.Integer => new JsonObject { ["type"] = "integer", ["format"] = s.Type == typeof(long) ? "int64" : "int32" },
            JsonKind.Boolean => new JsonObject { ["type"] = "boolean" },
            JsonKind.Date => new JsonObject { ["type"] = "string", ["format"] = "date" },
            JsonKind.Enum => new JsonObject { ["type"] = "string" },
            JsonKind.Array => new JsonObject { ["type"] = "array", ["items"] = Schema(s.Items!) },
            JsonKind.Object => new JsonObject
            {
                ["type"] = "object",
                ["additionalProperties"] = false,
                ["properties"] = new JsonObject(s.Fields!.Select(f => KeyValuePair.Create(f.Name, (JsonNode?)Schema(f.Shape)))),
            },
            _ => new JsonObject(),
        };
        if (s.Kind == JsonKind.Object && s.Fields!.Any(f => f.Required))
            schema["required"] = new JsonArray(s.Fields!.Where(f => f.Required).Select(f => (JsonNode)f.Name).ToArray());
        if (s.Kind == JsonKind.String && s.Limit.MaxLength is null) schema["maxLength"] = JsonLimits.DefaultMaxLength;
        Limit(schema, s.Limit, s.EnumValues);
        if (s.Nullable && schema["type"] is JsonValue type) schema["type"] = new JsonArray(type.GetValue<string>(), "null");
        return schema;
    }

    private static void Limit(JsonObject schema, FieldLimit? limit, IReadOnlyList<string>? enumValues)
    {
        if (enumValues is not null) schema["enum"] = new JsonArray(enumValues.Select(v => (JsonNode)v).ToArray());
        if (limit is null) return;
        if (limit.MaxLength is { } maxLength) schema["maxLength"] = maxLength;
        if (limit.MaxItems is { } maxItems) schema["maxItems"] = maxItems;
        if (limit.Pattern is { } pattern) schema["pattern"] = pattern;
        if (limit.Minimum is { } minimum) schema["minimum"] = minimum;
        if (limit.Maximum is { } maximum) schema["maximum"] = maximum;
        if (limit.Format is { } format) schema["format"] = format;
    }

    private static JsonObject ProblemSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "RFC 9457 problem details; title is the rule's name and type ends with it.",
        ["required"] = new JsonArray("type", "title", "status"),
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = "string", ["format"] = "uri" },
            ["title"] = new JsonObject { ["type"] = "string" },
            ["status"] = new JsonObject { ["type"] = "integer" },
            ["detail"] = new JsonObject { ["type"] = "string" },
            ["instance"] = new JsonObject { ["type"] = "string" },
            ["errors"] = new JsonObject
            {
                ["type"] = "object",
                ["description"] = "Each failing field (JSON path, header or route value) and its rules.",
                ["additionalProperties"] = new JsonObject
                {
                    ["type"] = "array",
                    ["items"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["required"] = new JsonArray("rule", "message"),
                        ["properties"] = new JsonObject { ["rule"] = new JsonObject { ["type"] = "string" },
                            ["message"] = new JsonObject { ["type"] = "string" } },
                    },
                },
            },
        },
    };

    private static JsonObject CommandResultSchema() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["outcome"] = new JsonObject { ["type"] = "string" },
            ["resourceId"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
            ["version"] = new JsonObject { ["type"] = new JsonArray("integer", "null") },
            ["flags"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
        },
    };

    private static JsonObject ProblemResponse(string description) => new()
    {
        ["description"] = description,
        ["content"] = new JsonObject
        {
            ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = Problem } },
        },
    };

    private static JsonObject Response(string description, JsonObject schema) => new()
    {
        ["description"] = description,
        ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schema } },
    };

    private static JsonObject Header(string description) => new() { ["description"] = description,
        ["schema"] = new JsonObject { ["type"] = "string" } };

    private static string Words(string operationId)
    {
        var words = WordStart().Replace(operationId, " $1").Trim().ToLowerInvariant();
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    [GeneratedRegex("(?<!^)([A-Z])")]
    private static partial Regex WordStart();
}
