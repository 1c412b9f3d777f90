using System.Text.Json.Nodes;
using ComplianceEvents.Imports;

namespace ComplianceEvents.Tests.Imports;

/// <summary>A dataset file is held to the API's input contract before anything is decided (issue 14 items 1 and 5).</summary>
public sealed class DatasetContractTests
{
    private static string Seed(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "data", "seeds", name));

    [Theory]
    [InlineData("2024-apulia.json")]
    [InlineData("2017-taormina.json")]
    public void both_seed_chapters_pass_the_contract_and_the_file_checks(string file)
    {
        var (dataset, errors) = DatasetImporter.Read(Seed(file));
        Assert.Empty(errors);
        Assert.NotNull(dataset);
    }

    private static JsonNode Apulia() => JsonNode.Parse(Seed("2024-apulia.json"))!;

    private static IReadOnlyList<string> ErrorsOf(JsonNode dataset) => DatasetImporter.Read(dataset.ToJsonString()).Errors;

    [Fact]
    public void a_missing_score_is_refused_naming_its_path_not_read_as_zero()
    {
        var d = Apulia();
        d["commitments"]![0]!["assessments"]![0]!["proposals"]![0]!.AsObject().Remove("score");
        Assert.Equal("commitments[0].assessments[0].proposals[0].score (required): 'score' is required.", Assert.Single(ErrorsOf(d)));
    }

    [Fact]
    public void unknown_fields_wrong_types_and_control_characters_are_each_named()
    {
        var d = Apulia();
        d["cycle"]!["sumitName"] = "typo";
        d["commitments"]![0]!["number"] = "19";
        d["commitments"]![0]!["assessments"]![0]!["evidence"]![0]!["summary"] = "nul \u0000 inside";
        var errors = ErrorsOf(d);
        Assert.Contains(errors, e => e.StartsWith("cycle.sumitName (unknown-field)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("commitments[0].number (type)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("commitments[0].assessments[0].evidence[0].summary (control-character)",
            StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void an_over_long_evidence_key_is_refused_by_the_id_rule()
    {
        var d = Apulia();
        d["commitments"]![0]!["assessments"]![0]!["evidence"]![0]!["key"] = new string('k', 65);
        Assert.Contains(ErrorsOf(d), e => e.StartsWith("commitments[0].assessments[0].evidence[0].key (max-length)",
            StringComparison.Ordinal));
    }

    [Fact]
    public void malformed_json_names_its_line_and_position()
    {
        var error = Assert.Single(DatasetImporter.Read("{\n  \"format\": \"compliance-events/cycle@1\",\n  \"cycle\": {,\n}").Errors);
        Assert.StartsWith("line 3, position", error);
    }

    [Fact]
    public void comments_and_trailing_commas_stay_allowed()
    {
        var json = Seed("2024-apulia.json").TrimEnd();
        json = "// a note\n" + json[..^1].TrimEnd() + ",\n}";
        Assert.Empty(DatasetImporter.Read(json).Errors);
    }
}
