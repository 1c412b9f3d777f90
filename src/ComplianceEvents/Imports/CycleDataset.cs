using System.Text.Json;
using System.Text.Json.Serialization;
using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;

namespace ComplianceEvents.Imports;

/// <summary>The cycle dataset file (docs/import-format.md), format "compliance-events/cycle@1".</summary>
public sealed record CycleDataset(string Format, DatasetCycle Cycle, IReadOnlyList<DatasetWindow>? Windows, IReadOnlyList<DatasetCommitment>? Commitments)
{
    public const string FormatName = "compliance-events/cycle@1";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };
}

public sealed record DatasetCycle(string Id, string SummitName, string HostCity, string HostCountry, DateOnly SummitStart, DateOnly SummitEnd,
    IReadOnlyList<Member> Members, string? PreparedBy, string? Director);

public sealed record DatasetWindow(ReportKind Kind, DateOnly Start, DateOnly Cutoff);

public sealed record DatasetCommitment(string Id, int Number, string IssueArea, string Title, string Text, string Source,
    string LeadAnalyst, string? ComplianceDirector, IReadOnlyList<string>? Background, IReadOnlyList<string>? Features,
    IReadOnlyList<Dimension>? Dimensions, IReadOnlyList<DatasetDefinition>? Definitions, IReadOnlyList<string>? InterpretiveGuidelines,
    IReadOnlyList<DatasetNotApplicable>? NotApplicable, IReadOnlyList<DatasetRubric>? Rubric, IReadOnlyList<DatasetAssessment>? Assessments);

public sealed record DatasetDefinition(string Term, string Meaning, DatasetCitation? Citation);

public sealed record DatasetNotApplicable(string Member, string Reason);

public sealed record DatasetRubric(int Version, string By, string Minus1, string Zero, string Plus1, IReadOnlyList<DimensionRule>? DimensionRules, string? Reason)
{
    public RubricInput ToInput() => new(Minus1, Zero, Plus1, DimensionRules);
}

public sealed record DatasetAssessment(string Member, IReadOnlyList<string>? Analysts, IReadOnlyList<DatasetEvidence>? Evidence, IReadOnlyList<DatasetProposal>? Proposals);

public sealed record DatasetEvidence(string Key, DateOnly ActionDate, string Summary, IReadOnlyList<string>? Dimensions, Strength? Strength,
    IReadOnlyList<DatasetCitation>? Citations);

/// <summary><c>published</c> is an ISO (partial) date or "n.d."; a lost title or access date stays null.</summary>
public sealed record DatasetCitation(string? Title, string Publisher, string? Place, string? Published, DateOnly? Accessed, string Url, string? Translation)
{
    public Citation ToCitation() =>
        new(Title ?? "", Publisher, Place, Published is null or "n.d." ? null : Published, Accessed, Url, Translation);
}

/// <summary><c>evidence</c>: "all" or a list of evidence keys.</summary>
public sealed record DatasetProposal(int Score, string Rationale, JsonElement Evidence, int RubricVersion, string By, DatasetReview? Review);

public sealed record DatasetReview(string Action, string By, string? Comment);
