using System.Globalization;
using System.Text.Json;

namespace ComplianceEvents.IntegrationTests.Http;

/// <summary>
/// The few JSON Schema keywords the served document uses for responses ($ref, type, properties, required, items, enum,
/// oneOf/anyOf, additionalProperties, the date formats): enough to say a schema is typed and that an answer fits it.
/// </summary>
public static class SchemaCheck
{
    /// <summary>The 200 schema documented for the GET of <paramref name="url"/> (query ignored) in <paramref name="media"/>.</summary>
    public static JsonElement? Documented(JsonElement doc, string url, string media)
    {
        var segments = url.Split('?')[0].Trim('/').Split('/');
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            var template = path.Name.Trim('/').Split('/');
            if (template.Length != segments.Length || !template.Zip(segments).All(p => p.First.StartsWith('{') || p.First == p.Second))
                continue;
            if (path.Value.TryGetProperty("get", out var get) && get.GetProperty("responses").TryGetProperty("200", out var ok)
                && ok.TryGetProperty("content", out var content) && content.TryGetProperty(media, out var m)
                && m.TryGetProperty("schema", out var schema))
                return schema;
        }
        return null;
    }

    /// <summary>Every place in <paramref name="schema"/> that says nothing of its value: no type, an object without properties.</summary>
    public static IEnumerable<string> Untyped(JsonElement doc, JsonElement schema, string at, bool text)
    {
        if (text)
            return Types(schema).SequenceEqual(["string"]) ? [] : [$"{at}: a text answer's schema is not a string: {schema}"];
        var problems = new List<string>();
        Walk(doc, schema, at, problems, []);
        return problems;
    }

    private static void Walk(JsonElement doc, JsonElement schema, string at, List<string> problems, HashSet<string> seen)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            if (!seen.Add(reference.GetString()!)) return;
            if (Resolve(doc, reference.GetString()!) is { } target) Walk(doc, target, $"{at} ({reference.GetString()})", problems, seen);
            else problems.Add($"{at}: {reference.GetString()} is not in the document");
            return;
        }
        foreach (var combinator in new[] { "oneOf", "anyOf", "allOf" })
            if (schema.TryGetProperty(combinator, out var branches))
            {
                foreach (var branch in branches.EnumerateArray()) Walk(doc, branch, at, problems, seen);
                return;
            }
        if (schema.TryGetProperty("enum", out _)) return;
        var types = Types(schema);
        if (types.Count == 0) problems.Add($"{at}: no type: {schema}");
        if (types.Contains("object"))
        {
            var hasProperties = schema.TryGetProperty("properties", out var properties) && properties.EnumerateObject().Any();
            var hasValues = schema.TryGetProperty("additionalProperties", out var values) && values.ValueKind == JsonValueKind.Object;
            if (!hasProperties && !hasValues) problems.Add($"{at}: an object with no properties: {schema}");
            if (hasProperties) foreach (var p in properties.EnumerateObject()) Walk(doc, p.Value, $"{at}.{p.Name}", problems, seen);
            if (hasValues) Walk(doc, values, $"{at}.*", problems, seen);
        }
        if (types.Contains("array"))
        {
            if (schema.TryGetProperty("items", out var items)) Walk(doc, items, $"{at}[]", problems, seen);
            else problems.Add($"{at}: an array with no items schema");
        }
    }

    /// <summary>Every way <paramref name="value"/> breaks <paramref name="schema"/>, as "path: why".</summary>
    public static List<string> Validate(JsonElement doc, JsonElement schema, JsonElement value, string at)
    {
        var errors = new List<string>();
        if (schema.TryGetProperty("$ref", out var reference)) return Validate(doc, Resolve(doc, reference.GetString()!)!.Value, value, at);
        foreach (var combinator in new[] { "oneOf", "anyOf" })
            if (schema.TryGetProperty(combinator, out var branches))
            {
                var tried = branches.EnumerateArray().Select(b => Validate(doc, b, value, at)).ToList();
                if (tried.All(t => t.Count > 0)) errors.Add($"{at}: fits no branch of {combinator}: {string.Join("; ", tried[^1])}");
                return errors;
            }
        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => a.GetRawText() == value.GetRawText()))
            errors.Add($"{at}: {value.GetRawText()} is not one of {allowed.GetRawText()}");
        var types = Types(schema);
        if (types.Count > 0 && !types.Any(t => Is(value, t)))
        {
            errors.Add($"{at}: {value.ValueKind} where the schema says {string.Join(" or ", types)}");
            return errors;
        }
        if (value.ValueKind == JsonValueKind.String && schema.TryGetProperty("format", out var format))
        {
            var text = value.GetString()!;
            var fits = format.GetString() switch
            {
                "date" => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
                "date-time" => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
                _ => true,
            };
            if (!fits) errors.Add($"{at}: '{text}' is not a {format.GetString()}");
        }
        if (value.ValueKind == JsonValueKind.Object) ValidateObject(doc, schema, value, at, errors);
        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray()) errors.AddRange(Validate(doc, items, item, $"{at}[{i++}]"));
        }
        return errors;
    }

    private static void ValidateObject(JsonElement doc, JsonElement schema, JsonElement value, string at, List<string> errors)
    {
        if (schema.TryGetProperty("required", out var required))
            foreach (var name in required.EnumerateArray().Select(n => n.GetString()!).Where(n => !value.TryGetProperty(n, out _)))
                errors.Add($"{at}: the required '{name}' is missing");
        var properties = schema.TryGetProperty("properties", out var p) ? p : default;
        var additional = schema.TryGetProperty("additionalProperties", out var a) ? a : default;
        foreach (var field in value.EnumerateObject())
        {
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(field.Name, out var fieldSchema))
                errors.AddRange(Validate(doc, fieldSchema, field.Value, $"{at}.{field.Name}"));
            else if (additional.ValueKind == JsonValueKind.Object)
                errors.AddRange(Validate(doc, additional, field.Value, $"{at}.{field.Name}"));
            else if (additional.ValueKind == JsonValueKind.False) errors.Add($"{at}: '{field.Name}' is not in the schema");
        }
    }

    private static bool Is(JsonElement value, string type) => type switch
    {
        "null" => value.ValueKind == JsonValueKind.Null,
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        _ => false,
    };

    private static List<string> Types(JsonElement schema) =>
        !schema.TryGetProperty("type", out var type) ? []
        : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];

    private static JsonElement? Resolve(JsonElement doc, string reference)
    {
        var node = doc;
        foreach (var part in reference.TrimStart('#', '/').Split('/'))
            if (!node.TryGetProperty(part, out node)) return null;
        return node;
    }
}
