using System.Text.Json;
using System.Text.RegularExpressions;
using ComplianceEvents.Integration;
using ComplianceEvents.Integration.Replying;

namespace ComplianceEvents.IntegrationTests.Integration.Replying;

/// <summary>
/// docs/integration.md "Replies" shows the JSON schema generated from <see cref="CommandOutcomeV1"/>, as docs/events.md does for
/// the integration events: a changed field fails here (it needs a V2). On a difference the schema the code gives is written
/// next to this file (reply-schema.received.md) to paste in.
/// </summary>
public sealed partial class ReplyContractTests
{
    [Fact]
    public void the_reply_contract_is_documented_with_the_schema_of_its_record()
    {
        var generated = Indented(IntegrationEvents.Schema(typeof(CommandOutcomeV1)).ToJsonString());
        var documented = SchemaBlock().Match(File.ReadAllText(Repo.PathOf("docs", "integration.md")));
        if (!documented.Success || Indented(documented.Groups["json"].Value) != generated)
            File.WriteAllText(Repo.PathOf("tests", "ComplianceEvents.IntegrationTests", "Integration", "Replying",
                "reply-schema.received.md"), $"<!-- schema: CommandOutcomeV1 -->\n```json\n{generated}\n```\n");
        Assert.True(documented.Success, "docs/integration.md has no <!-- schema: CommandOutcomeV1 --> block");
        Assert.Equal(generated, Indented(documented.Groups["json"].Value));
    }

    private static string Indented(string json) =>
        JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, new JsonSerializerOptions { WriteIndented = true });

    [GeneratedRegex("<!-- schema: CommandOutcomeV1 -->[^`]*```json\\n(?<json>.*?)\\n```", RegexOptions.Singleline)]
    private static partial Regex SchemaBlock();
}
