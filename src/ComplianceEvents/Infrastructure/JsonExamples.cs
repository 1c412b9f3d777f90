using System.Text.Json.Nodes;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// Bodies that fit the input contract, built from a shape: the OpenAPI example of each command (no random source) and
/// the valid half of the generated corpus (a random source varies lengths, counts and which optional fields appear).
/// </summary>
public static class JsonExamples
{
    public static JsonNode? Example(JsonShape s, Random? random = null) => s.Kind switch
    {
        JsonKind.String => Text(s.Limit, random),
        JsonKind.Integer => Number(s.Limit, random),
        JsonKind.Boolean => random?.Next(2) == 1,
        JsonKind.Date => $"2024-{1 + (random?.Next(12) ?? 6):00}-{1 + (random?.Next(28) ?? 11):00}",
        JsonKind.Enum => s.EnumValues![random?.Next(s.EnumValues.Count) ?? 0],
        JsonKind.Array => new JsonArray(Enumerable.Range(0, random?.Next(1, Math.Min(s.Limit.MaxItems ?? 3, 3) + 1) ?? 1)
            .Select(_ => Example(s.Items!, random)).ToArray()),
        JsonKind.Object => new JsonObject(s.Fields!
            .Where(f => f.Required || random is null || random.Next(2) == 1)
            .Select(f => KeyValuePair.Create(f.Name, f.Shape.Nullable && random?.Next(4) == 0 ? null : Example(f.Shape, random)))),
        _ => new JsonObject(),
    };

    public static JsonObject ExampleBody(JsonShape s) => (JsonObject)Example(s, null)!;

    private static JsonNode Text(FieldLimit limit, Random? random)
    {
        if (limit.Format == "uri") return $"https://example.org/{(random?.Next(1000) ?? 1)}";
        if (limit.Pattern == Slugs.Pattern) return random is null ? "e9" : $"x{random.Next(1_000_000)}";
        if (limit.Pattern == JsonLimits.PartialDate) return random?.Next(3) switch { 1 => "2024-07", 2 => "2024", _
            => "2024-07-12" };
        if (limit.Pattern is not null) return "CA";
        var max = limit.MaxLength ?? JsonLimits.DefaultMaxLength;
        if (random is null) return "Text.";
        // Letters, spaces, non-ASCII, tab and newline (the only control characters allowed), up to the limit.
        const string alphabet = "abc XYZ éü—\t\n";
        var length = random.Next(4) == 0 ? max : random.Next(1, Math.Min(max, 80) + 1);
        return "a" + new string(Enumerable.Range(1, length - 1).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
    }

    private static JsonNode Number(FieldLimit limit, Random? random)
    {
        var min = limit.Minimum ?? 0;
        var max = limit.Maximum ?? Math.Max(min, 1) + 100;
        return random is null ? Math.Clamp(1, min, max) : min + Math.Min(max - min, (long)(random.NextDouble() * (max - min + 1)));
    }
}
