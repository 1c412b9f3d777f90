using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace ComplianceEvents.Infrastructure;

public enum JsonKind { String, Integer, Boolean, Date, Enum, Array, Object, Any }

/// <summary>One field of a request body: its JSON name, shape, limits and whether it must be present.</summary>
public sealed record JsonField(string Name, JsonShape Shape, bool Required);

/// <summary>What a value must look like. Built from the command record: nullable annotations tell optional from required.</summary>
public sealed record JsonShape(JsonKind Kind, Type Type, bool Nullable, FieldLimit Limit, JsonShape? Items = null,
    IReadOnlyList<JsonField>? Fields = null, IReadOnlyList<string>? EnumValues = null)
{
    /// <summary>Route values a client may repeat in the body: the route's value wins (docs/api.md), so they are not checked.</summary>
    public IReadOnlySet<string> RouteValues { get; init; } = new HashSet<string>();
}

/// <summary>
/// The strict input contract (docs/api.md "Input contract"): a body is checked against its command's shape before it is
/// bound, so a missing value is never filled with a default and every refusal names the JSON path and the rule.
/// </summary>
public static class JsonContract
{
    private static readonly ConcurrentDictionary<(Type, string), JsonShape> Shapes = new();

    /// <summary>The body shape of <paramref name="type"/> without the fields the route supplies.</summary>
    public static JsonShape BodyOf(Type type, IEnumerable<string> routeValues)
    {
        var excluded = new HashSet<string>(routeValues, StringComparer.OrdinalIgnoreCase);
        return Shapes.GetOrAdd((type, string.Join(',', excluded.Order())), _ => ObjectShape(type, false, new FieldLimit(), excluded) with
        {
            RouteValues = excluded.Select(JsonName).ToHashSet(StringComparer.OrdinalIgnoreCase),
        });
    }

    public static string JsonName(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);

    /// <summary>How the HTTP API reads and writes JSON, on top of the web defaults: enums by name, numbers never from strings.</summary>
    public static JsonSerializerOptions ApiConventions(JsonSerializerOptions options)
    {
        options.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        // "1" is not a score: the web default reads numbers from strings.
        options.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        return options;
    }

    private static JsonShape ObjectShape(Type type, bool nullable, FieldLimit limit, ISet<string>? excluded = null)
    {
        // NullabilityInfoContext is not thread-safe: one per shape built (shapes are built once per type and cached).
        var nullability = new NullabilityInfoContext();
        var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var fields = ctor.GetParameters()
            .Where(p => excluded is null || !excluded.Contains(p.Name!))
            .Select(p =>
            {
                var info = nullability.Create(p);
                var name = JsonName(p.Name!);
                var shape = ShapeOf(p.ParameterType, info, type, name);
                return new JsonField(name, shape, !shape.Nullable && !p.HasDefaultValue);
            }).ToList();
        return new JsonShape(JsonKind.Object, type, nullable, limit, Fields: fields);
    }

    private static JsonShape ShapeOf(Type type, NullabilityInfo info, Type owner, string key)
    {
        var limit = JsonLimits.For(owner, key);
        var nullable = info.ReadState == NullabilityState.Nullable;
        var t = System.Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(JsonElement)) return new(JsonKind.Any, t, nullable, limit);
        if (t == typeof(string) || t == typeof(Guid)) return new(JsonKind.String, t, nullable, limit);
        if (t == typeof(int) || t == typeof(long)) return new(JsonKind.Integer, t, nullable, limit);
        if (t == typeof(bool)) return new(JsonKind.Boolean, t, nullable, limit);
        if (t == typeof(DateOnly)) return new(JsonKind.Date, t, nullable, limit);
        if (t == typeof(Uri)) return new(JsonKind.String, t, nullable, limit with { Format = "uri" });
        if (t.IsEnum) return new(JsonKind.Enum, t, nullable, limit, EnumValues: Enum.GetNames(t).Select(JsonName).ToList());
        if (t.IsGenericType && t.GetGenericArguments().Length == 1 && typeof(System.Collections.IEnumerable).IsAssignableFrom(t))
            return new(JsonKind.Array, t, nullable, limit with { MaxItems = limit.MaxItems ?? JsonLimits.DefaultMaxItems },
                Items: ShapeOf(t.GetGenericArguments()[0], info.GenericTypeArguments[0], owner, key + "[]"));
        return ObjectShape(t, nullable, limit);
    }

    /// <summary>How every body is parsed: no trailing commas, no comments, at most 32 levels deep.</summary>
    public static readonly JsonDocumentOptions Strict = new() { AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 32 };

    /// <summary>
    /// The contract of a command whatever its entry point (docs/api.md "Input contract"). <paramref name="wire"/> is the raw
    /// body a transport delivered (the queue): it is checked as sent, so a missing field is refused rather than read as
    /// its default. Without it (CLI, HTTP after its own check, tests, the importer) the command object is checked as the
    /// wire format would carry it: limits, control characters, patterns, ranges, list sizes and nulls.
    /// </summary>
    public static List<FieldError> CheckCommand(object command, ReadOnlyMemory<byte>? wire)
    {
        var shape = BodyOf(command.GetType(), []);
        if (wire is not { } bytes)
            return Check(JsonSerializer.SerializeToElement(command, command.GetType(), WireJson.Options), shape);
        try
        {
            using var document = JsonDocument.Parse(bytes, Strict);
            return Check(document.RootElement, shape);
        }
        catch (JsonException e)
        {
            return [new FieldError("$", "json-syntax", $"Malformed JSON at line {(e.LineNumber ?? 0) + 1}, byte " +
                $"{(e.BytePositionInLine ?? 0) + 1}.")];
        }
    }

    /// <summary>Every way <paramref name="value"/> breaks <paramref name="shape"/>, as (JSON path, rule, message).</summary>
    public static List<FieldError> Check(JsonElement value, JsonShape shape)
    {
        var errors = new List<FieldError>();
        Check(value, shape, "", errors);
        return errors;
    }

    private static void Check(JsonElement v, JsonShape s, string path, List<FieldError> errors)
    {
        var at = path.Length == 0 ? "$" : path;
        void Fail(string rule, string message) => errors.Add(new FieldError(at, rule, message));
        if (v.ValueKind == JsonValueKind.Null)
        {
            if (!s.Nullable) Fail(path.Length == 0 ? "type" : "not-null",
                path.Length == 0 ? "The body must be a JSON object." : $"'{at}' cannot be null.");
            return;
        }
        if (s.Kind == JsonKind.Any) return;
        var expected = s.Kind switch
        {
            JsonKind.Integer => JsonValueKind.Number,
            JsonKind.Boolean => v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.ValueKind : JsonValueKind.True,
            JsonKind.Array => JsonValueKind.Array,
            JsonKind.Object => JsonValueKind.Object,
            _ => JsonValueKind.String,
        };
        if (v.ValueKind != expected)
        {
            Fail("type", $"'{at}' must be {Describe(s)}, not {v.ValueKind.ToString().ToLowerInvariant()}.");
            return;
        }
        switch (s.Kind)
        {
            case JsonKind.String: CheckText(v.GetString()!, s.Limit, Fail); break;
            case JsonKind.Date:
                if (!DateOnly.TryParseExact(v.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                    Fail("format", $"'{at}' must be a date as yyyy-MM-dd.");
                break;
            case JsonKind.Enum:
                if (!s.EnumValues!.Contains(v.GetString()!, StringComparer.OrdinalIgnoreCase))
                    Fail("enum", $"'{at}' must be one of {string.Join(", ", s.EnumValues!)}.");
                break;
            case JsonKind.Integer:
                if (!v.TryGetInt64(out var n) || (s.Type == typeof(int) && n is < int.MinValue or > int.MaxValue))
                    Fail("type", $"'{at}' must be a whole number.");
                else CheckRange(n, s.Limit, Fail);
                break;
            case JsonKind.Array:
                var count = v.GetArrayLength();
                if (count > s.Limit.MaxItems) Fail("max-items", $"'{at}' holds at most {s.Limit.MaxItems} items, not {count}.");
                else
                {
                    var i = 0;
                    foreach (var item in v.EnumerateArray()) Check(item, s.Items!, $"{path}[{i++}]", errors);
                }
                break;
            case JsonKind.Object: CheckObject(v, s, path, errors); break;
        }
    }

    private static void CheckObject(JsonElement v, JsonShape s, string path, List<FieldError> errors)
    {
        string Child(string name) => path.Length == 0 ? name : $"{path}.{name}";
        var fields = s.Fields!.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in v.EnumerateObject())
        {
            if (s.RouteValues.Contains(p.Name)) continue;
            if (!fields.TryGetValue(p.Name, out var field))
                errors.Add(new FieldError(Child(p.Name), "unknown-field", $"'{p.Name}' is not a field of this request."));
            else if (!seen.Add(p.Name))
                errors.Add(new FieldError(Child(field.Name), "duplicate-field", $"'{p.Name}' appears more than once."));
            else Check(p.Value, field.Shape, Child(field.Name), errors);
        }
        foreach (var f in s.Fields!.Where(f => f.Required && !seen.Contains(f.Name)))
            errors.Add(new FieldError(Child(f.Name), "required", $"'{f.Name}' is required."));
    }

    /// <summary>Rules after which the body cannot be bound at all (the validators' own rules are then not asked).</summary>
    public static bool IsStructural(FieldError e)
        => e.Rule is "type" or "not-null" or "required" or "unknown-field" or "duplicate-field" or "json-syntax"
        ;

    /// <summary>Text rules, shared by body fields and route values.</summary>
    public static void CheckText(string text, FieldLimit limit, Action<string, string> fail)
    {
        if (HasControlCharacter(text))
            fail("control-character", "Text may hold no control character other than tab and newline.");
        if (text.Length > limit.MaxLength) fail("max-length", $"At most {limit.MaxLength} characters, not {text.Length}.");
        else if (limit.MaxLength is null && text.Length > JsonLimits.DefaultMaxLength)
            fail("max-length", $"At most {JsonLimits.DefaultMaxLength} characters, not {text.Length}.");
        if (limit.Pattern is { } pattern && !Patterns.GetOrAdd(pattern, p => new System.Text.RegularExpressions.Regex(p,
                System.Text.RegularExpressions.RegexOptions.Compiled)).IsMatch(text))
            fail("pattern", $"Must match {pattern}.");
        if (limit.Format == "uri" && !IsHttpUrl(text)) fail("format", "Must be an absolute http or https URL.");
    }

    // Every command is checked on every entry point (docs/api.md "Input contract"): the per-character scan and the patterns
    // are on the write path, so no LINQ per character and each pattern compiled once.
    private static readonly ConcurrentDictionary<string, System.Text.RegularExpressions.Regex> Patterns = new();

    private static bool HasControlCharacter(string text)
    {
        foreach (var c in text)
            if (char.IsControl(c) && c is not '\t' and not '\n') return true;
        return false;
    }

    public static void CheckRange(long n, FieldLimit limit, Action<string, string> fail)
    {
        if (n < limit.Minimum) fail("minimum", $"At least {limit.Minimum}, not {n}.");
        if (n > limit.Maximum) fail("maximum", $"At most {limit.Maximum}, not {n}.");
    }

    public static bool IsHttpUrl(string text) =>
        !text.Contains('\\') && !text.Any(char.IsWhiteSpace)
        && (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://",
            StringComparison.OrdinalIgnoreCase))
        && Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Host.Length > 0;

    private static string Describe(JsonShape s) => s.Kind switch
    {
        JsonKind.Integer => "a number",
        JsonKind.Boolean => "true or false",
        JsonKind.Date => "a date string (yyyy-MM-dd)",
        JsonKind.Enum => "a string",
        JsonKind.Array => "an array",
        JsonKind.Object => "an object",
        _ => "a string",
    };
}
