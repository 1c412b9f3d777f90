using System.Text.Json;
using System.Text.RegularExpressions;
using ComplianceEvents.Integration;

namespace ComplianceEvents.Tests.Integration;

/// <summary>
/// docs/events.md documents every integration event with the JSON schema generated from its record: the doc cannot rot. On a
/// difference the schemas the code gives are written next to this file (integration-schemas.received.md) to paste in.
/// </summary>
public sealed partial class IntegrationSchemaTests
{
    private static readonly string Doc = File.ReadAllText(PathOf("docs", "events.md"));

    [Fact]
    public void every_integration_event_is_documented_with_the_schema_of_its_record()
    {
        var documented = SchemaBlock().Matches(Doc).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["json"].Value);
        var generated = IntegrationEvents.Contracts.ToDictionary(t => t.Name, t => Indented(IntegrationEvents.Schema(t).ToJsonString()));
        var differing = generated.Where(g => !documented.TryGetValue(g.Key, out var doc) || Indented(doc) != g.Value)
            .Select(g => g.Key).ToList();
        if (differing.Count > 0 || documented.Count != generated.Count)
            File.WriteAllText(PathOf("tests", "ComplianceEvents.Tests", "Integration", "integration-schemas.received.md"),
                string.Concat(generated.Select(g => $"<!-- schema: {g.Key} -->\n```json\n{g.Value}\n```\n\n")));
        Assert.Empty(differing);
        Assert.Equal(generated.Keys.Order(), documented.Keys.Order());
    }

    [Fact]
    public void the_schemas_require_the_place_in_the_log_and_the_actor_of_every_event()
    {
        foreach (var type in IntegrationEvents.Contracts)
        {
            var required = IntegrationEvents.Schema(type)["required"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
            string[] everywhere = ["cycleId", "occurredBy", "occurredAt", "sequence", "index", "streamKey", "streamVersion"];
            Assert.Superset(everywhere.ToHashSet(), required.ToHashSet());
        }
    }

    private static string Indented(string json) =>
        JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, new JsonSerializerOptions { WriteIndented = true });

    [GeneratedRegex("<!-- schema: (?<name>[A-Za-z0-9]+) -->[^`]*```json\\n(?<json>.*?)\\n```", RegexOptions.Singleline)]
    private static partial Regex SchemaBlock();

    private static string PathOf(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ComplianceEvents.sln"))) return Path.Combine([dir.FullName, .. parts]);
        throw new InvalidOperationException("ComplianceEvents.sln not found above " + AppContext.BaseDirectory);
    }
}
