using System.Text.Json;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Cycles.OpeningCycle;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Tests.Infrastructure;

/// <summary>Each rule of the input contract (docs/api.md "Input contract"), on the shapes of real commands.</summary>
public sealed class JsonContractTests
{
    private static readonly string[] Cell = ["cycleId", "commitmentId", "memberCode"];
    private static readonly JsonShape Proposal = JsonContract.BodyOf(typeof(ProposeScore), Cell);
    private static readonly JsonShape Evidence = JsonContract.BodyOf(typeof(RecordEvidence), Cell);
    private static readonly JsonShape Cycle = JsonContract.BodyOf(typeof(OpenCycle), []);

    private const string GoodProposal = "{'score':0,'rationale':'Partial.','evidenceIds':['e1'],'rubricVersion':1";
    private const string Citation = "{'title':'T','publisher':'P','place':null,'published':'2024-07','accessed':'2024-09-20'," +
        "'url':'https://example.org/a'}";

    private static List<(string Field, string Rule)> Errors(JsonShape shape, string json) =>
        JsonContract.Check(JsonDocument.Parse(json.Replace('\'', '"')).RootElement, shape).Select(e => (e.Field, e.Rule)).ToList();

    /// <summary>
    /// JSON is written with single quotes here (no text holds one). A valid proposal with <paramref name="extra"/> fields added
    /// (a later duplicate of a field replaces nothing).
    /// </summary>
    private static List<(string Field, string Rule)> ProposalWith(string extra) =>
        Errors(Proposal, GoodProposal + (extra.Length > 0 ? "," + extra : "") + "}");

    private static string EvidenceWith(string citations, string extra = "") =>
        "{'actionDate':'2024-07-12','summary':'S.','citations':[" + citations + "]" + extra + "}";

    [Fact]
    public void a_valid_body_has_no_errors_and_optional_or_nullable_fields_may_be_left_out()
    {
        Assert.Empty(ProposalWith(""));
        Assert.Empty(ProposalWith("\"expectedVersion\":null,\"coAnalysts\":[\"ryan\"]"));
        Assert.Empty(Errors(Evidence, EvidenceWith(Citation, ",\"strength\":\"weak\",\"dimensions\":[\"prevent\"]")));
    }

    [Theory]
    [InlineData("\"1\"")]
    [InlineData("\"+1\"")]
    [InlineData("1.5")]
    [InlineData("true")]
    [InlineData("{}")]
    public void a_number_of_the_wrong_json_type_is_refused_as_type(string score)
    {
        Assert.Equal([("score", "type")], Errors(Proposal, "{'score':" + score + ",'rationale':'R.','evidenceIds':[],'rubricVersion':1}"));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    public void a_body_that_is_not_an_object_is_refused_at_the_root(string body)
    {
        Assert.Equal([("$", "type")], Errors(Proposal, body));
    }

    [Fact]
    public void null_where_a_value_or_a_list_item_belongs_is_refused_as_not_null()
    {
        Assert.Equal([("rationale", "not-null")], Errors(Proposal, "{'score':0,'rationale':null,'evidenceIds':[],'rubricVersion':1}"));
        Assert.Equal([("coAnalysts[1]", "not-null")], ProposalWith("\"coAnalysts\":[\"ryan\",null]"));
        Assert.Equal([("citations[0]", "not-null")], Errors(Evidence, EvidenceWith("null")));
    }

    [Fact]
    public void a_missing_required_field_is_refused_and_never_defaulted()
    {
        Assert.Equal([("score", "required")], Errors(Proposal, "{'rationale':'R.','evidenceIds':[],'rubricVersion':1}"));
        Assert.Equal([("citations[0].url", "required")],
            Errors(Evidence, EvidenceWith("{'title':'T','publisher':'P','place':null,'published':null,'accessed':null}")));
        Assert.Contains(("summitStart", "required"), Errors(Cycle, "{'cycleId':'c','summitName':'S','hostCity':'H','hostCountry':'X'," +
            "'summitEnd':'2024-06-15','members':[]}"));
    }

    [Fact]
    public void unknown_and_duplicate_fields_are_refused_by_json_path()
    {
        Assert.Equal([("bogus", "unknown-field")], ProposalWith("\"bogus\":1"));
        Assert.Equal([("citations[0].bogus", "unknown-field")], Errors(Evidence, EvidenceWith(Citation[..^1] + ",\"bogus\":true}")));
        Assert.Equal([("score", "duplicate-field")], ProposalWith("\"score\":1"));
    }

    [Theory]
    [InlineData("a\\u0000b", true)]
    [InlineData("a\\u001bb", true)]
    [InlineData("a\\rb", true)]
    [InlineData("a\\tb\\nc", false)]
    public void control_characters_other_than_tab_and_newline_are_refused(string text, bool refused)
    {
        var errors = Errors(Proposal, "{'score':0,'rationale':'" + text + "','evidenceIds':[],'rubricVersion':1}");
        Assert.Equal(refused ? [("rationale", "control-character")] : [], errors);
    }

    [Fact]
    public void text_over_its_limit_or_over_the_default_limit_is_refused_as_max_length()
    {
        string Body(int rationale) => "{'score':0,'rationale':'" + new string('a', rationale) + "','evidenceIds':[],'rubricVersion':1}";
        Assert.Empty(Errors(Proposal, Body(5_000)));
        Assert.Equal([("rationale", "max-length")], Errors(Proposal, Body(5_001)));
        var failures = new List<string>();
        JsonContract.CheckText(new string('a', JsonLimits.DefaultMaxLength + 1), new FieldLimit(), (rule, _) => failures.Add(rule));
        Assert.Equal(["max-length"], failures);
    }

    [Fact]
    public void ids_and_codes_must_match_their_pattern()
    {
        Assert.Equal([("evidenceIds[1]", "pattern")], Errors(Proposal,
            "{'score':0,'rationale':'R.','evidenceIds':['e1','E 2'],'rubricVersion':1}"));
        var members = "[{'code':'CA','name':'Canada'},{'code':'ca','name':'Canada'}]";
        Assert.Equal([("members[1].code", "pattern")], Errors(Cycle, "{'cycleId':'c','summitName':'S','hostCity':'H'," +
            "'hostCountry':'X','summitStart':'2024-06-13','summitEnd':'2024-06-15','members':" + members + "}"));
    }

    [Theory]
    [InlineData("http:\\\\\\\\example.org")]
    [InlineData("ftp://example.org/a")]
    [InlineData("example.org/a")]
    [InlineData("https://example.org/a b")]
    public void a_url_that_is_not_absolute_http_is_refused_as_format_at_its_json_path(string url)
    {
        var third = Citation.Replace("https://example.org/a", url);
        Assert.Equal([("citations[2].url", "format")], Errors(Evidence, EvidenceWith($"{Citation},{Citation},{third}")));
    }

    [Fact]
    public void dates_must_be_calendar_days_as_yyyy_mm_dd()
    {
        foreach (var date in new[] { "2024-13-01", "12/07/2024", "2024-02-30", "2024-7-1" })
            Assert.Equal([("actionDate", "format")], Errors(Evidence, EvidenceWith(Citation).Replace("2024-07-12", date)));
    }

    [Fact]
    public void an_enum_takes_one_of_its_names_in_any_case_and_never_a_number()
    {
        Assert.Empty(Errors(Evidence, EvidenceWith(Citation, ",\"strength\":\"Strong\"")));
        Assert.Equal([("strength", "enum")], Errors(Evidence, EvidenceWith(Citation, ",\"strength\":\"medium\"")));
        Assert.Equal([("strength", "type")], Errors(Evidence, EvidenceWith(Citation, ",\"strength\":0")));
    }

    [Theory]
    [InlineData("score", "2", "maximum")]
    [InlineData("score", "-2", "minimum")]
    [InlineData("rubricVersion", "0", "minimum")]
    [InlineData("rubricVersion", "10001", "maximum")]
    public void numbers_outside_their_range_are_refused(string field, string value, string rule)
    {
        var body = GoodProposal.Replace($"'{field}':{(field == "score" ? 0 : 1)}", $"'{field}':{value}") + "}";
        Assert.Equal([(field, rule)], Errors(Proposal, body));
    }

    [Fact]
    public void a_negative_expected_version_is_refused_as_minimum()
    {
        Assert.Equal([("expectedVersion", "minimum")], ProposalWith("\"expectedVersion\":-1"));
    }

    [Fact]
    public void lists_over_their_limit_are_refused_as_max_items()
    {
        string Analysts(int n) => $"\"coAnalysts\":[{string.Join(',', Enumerable.Range(0, n).Select(i => $"\"a{i}\""))}]";
        Assert.Empty(ProposalWith(Analysts(10)));
        Assert.Equal([("coAnalysts", "max-items")], ProposalWith(Analysts(11)));
        Assert.Equal([("citations", "max-items")], Errors(Evidence, EvidenceWith(string.Join(',', Enumerable.Repeat(Citation, 21)))));
    }

    [Fact]
    public void route_values_repeated_in_the_body_are_ignored_whatever_they_hold()
    {
        Assert.Empty(ProposalWith("\"cycleId\":12345,\"memberCode\":null,\"commitmentId\":\"\\u0000\""));
        Assert.DoesNotContain(Proposal.Fields!, f => f.Name is "cycleId" or "commitmentId" or "memberCode");
        Assert.Equal([("cycleId", "required")], Errors(Cycle, "{'summitName':'S','hostCity':'H','hostCountry':'X'," +
            "'summitStart':'2024-06-13','summitEnd':'2024-06-15','members':[]}"));
    }

    [Fact]
    public void every_failing_field_is_listed_and_only_shape_breaks_are_structural()
    {
        var body = "{'score':'1','rationale':null,'evidenceIds':['E'],'bogus':1}".Replace('\'', '"');
        var errors = JsonContract.Check(JsonDocument.Parse(body).RootElement, Proposal);
        Assert.Equal([("score", "type"), ("rationale", "not-null"), ("evidenceIds[0]", "pattern"), ("bogus", "unknown-field"),
            ("rubricVersion", "required")], errors.Select(e => (e.Field, e.Rule)));
        Assert.Equal([true, true, false, true, true], errors.Select(JsonContract.IsStructural));
    }
}
