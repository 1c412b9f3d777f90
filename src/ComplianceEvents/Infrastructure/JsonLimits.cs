namespace ComplianceEvents.Infrastructure;

/// <summary>A field's limits, enforced on every request and published as OpenAPI schema keywords.</summary>
public sealed record FieldLimit(int? MaxLength = null, int? MaxItems = null, string? Pattern = null,
    long? Minimum = null, long? Maximum = null, string? Format = null);

/// <summary>
/// Every input limit in one table (docs/api.md "Limits"). Sized to fit every item of both seed chapters with room to
/// spare (the longest seed summary is 1,352 characters, the most citations on one item 3) while bounding what one
/// request, and so one evidence item or proposal, can add to a report. Keys are "Type.field", "field", or "field[]"
/// for the items of a list.
/// </summary>
public static class JsonLimits
{
    /// <summary>Largest request body accepted (413 above it).</summary>
    public const int MaxBodyBytes = 256 * 1024;
    public const int DefaultMaxLength = 2_000;
    public const int DefaultMaxItems = 50;
    /// <summary>
    /// A commitment's number is 1 to this; with the unique (cycle, number) index it caps a cycle's commitments, and so its
    /// report (docs/api.md "Limits"). The seeds number theirs 5 and 19.
    /// </summary>
    public const int MaxCommitmentNumber = 100;
    /// <summary>
    /// Members of one cycle: the G7 and the EU, older cycles Russia too (9 at most; the seeds have 8). With the commitment
    /// cap and the per-cell evidence budget it bounds a report (docs/api.md "Limits").
    /// </summary>
    public const int MaxMembers = 12;

    /// <summary>A date as sources print it: yyyy-MM-dd, yyyy-MM or yyyy (a citation's publication date).</summary>
    public const string PartialDate = @"^\d{4}(-\d{2}(-\d{2})?)?$";
    private const string MemberCode = "^[A-Z]{2,3}$";

    private static readonly FieldLimit Id = new(MaxLength: 64, Pattern: Slugs.Pattern);
    private static readonly FieldLimit Name = new(MaxLength: 200);
    private static readonly FieldLimit Title = new(MaxLength: 500);
    private static readonly FieldLimit Prose = new(MaxLength: 5_000);
    private static readonly FieldLimit Short = new(MaxLength: 100);
    private static readonly FieldLimit Reason = new(MaxLength: 2_000);

    private static readonly Dictionary<string, FieldLimit> ByKey = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cycleId"] = Id, ["commitmentId"] = Id, ["evidenceId"] = Id, ["proposalId"] = Id, ["evidenceIds[]"] = Id,
        ["memberCode"] = new(MaxLength: 3, Pattern: MemberCode), ["Member.code"] = new(MaxLength: 3, Pattern: MemberCode),
        ["Dimension.code"] = Id, ["dimensions[]"] = Id,
        ["summitName"] = Name, ["hostCity"] = Short, ["hostCountry"] = Short, ["name"] = Short, ["issueArea"] = Name,
        ["leadAnalyst"] = Name, ["complianceDirector"] = Name, ["coAnalysts[]"] = Name, ["preparedBy"] = Name, ["term"] = Name,
        ["place"] = Name, ["publisher"] = Title, ["title"] = new(MaxLength: 300), ["Citation.title"] = Title, ["source"] = Title,
        ["translation"] = Title, ["secret"] = new(MaxLength: 256), ["description"] = Title,
        ["text"] = Prose, ["summary"] = Prose, ["rationale"] = Prose, ["meaning"] = Prose,
        ["minus1"] = new(MaxLength: 4_000), ["zero"] = new(MaxLength: 4_000), ["plus1"] = new(MaxLength: 4_000),
        ["background[]"] = Prose, ["features[]"] = Prose, ["interpretiveGuidelines[]"] = Prose,
        ["reason"] = Reason, ["comment"] = Reason, ["note"] = Reason, ["message"] = Reason,
        ["url"] = new(MaxLength: 2_000, Format: "uri"),
        ["published"] = new(MaxLength: 10, Pattern: PartialDate),
        ["members"] = new(MaxItems: MaxMembers), ["citations"] = new(MaxItems: 20), ["coAnalysts"] = new(MaxItems: 10),
        ["evidenceIds"] = new(MaxItems: 50), ["dimensions"] = new(MaxItems: 20), ["definitions"] = new(MaxItems: 50),
        ["background"] = new(MaxItems: 50), ["features"] = new(MaxItems: 50), ["interpretiveGuidelines"] = new(MaxItems: 50),
        ["dimensionRules"] = new(MaxItems: 20),
        ["score"] = new(Minimum: -1, Maximum: 1), ["DimensionRule.score"] = new(Minimum: -1, Maximum: 1),
        ["number"] = new(Minimum: 1, Maximum: MaxCommitmentNumber), ["rubricVersion"] = new(Minimum: 1, Maximum: 10_000),
        ["expectedVersion"] = new(Minimum: 0), ["id"] = new(MaxLength: 64), ["edition"] = new(Minimum: 1, Maximum: 10_000),
        // Dataset files (docs/import-format.md): the same fields as the commands they become, plus the file's own.
        ["DatasetCycle.id"] = Id, ["DatasetCommitment.id"] = Id, ["DatasetEvidence.key"] = Id, ["DatasetNotApplicable.member"] = Id,
        ["DatasetAssessment.member"] = new(MaxLength: 3, Pattern: MemberCode), ["by"] = Name, ["director"] = Name, ["analysts[]"] = Name,
        ["analysts"] = new(MaxItems: 10), ["format"] = new(MaxLength: 100),
        ["DatasetCitation.published"] = new(MaxLength: 10, Pattern: DatasetPublished),
        ["commitments"] = new(MaxItems: 100), ["windows"] = new(MaxItems: 2), ["assessments"] = new(MaxItems: MaxMembers),
        ["DatasetCommitment.rubric"] = new(MaxItems: 100), ["notApplicable"] = new(MaxItems: MaxMembers),
        ["DatasetAssessment.evidence"] = new(MaxItems: 200),
        ["proposals"] = new(MaxItems: 100), ["DatasetRubric.version"] = new(Minimum: 1, Maximum: 10_000),
    };

    /// <summary>A dataset citation's date may also be "n.d." (no date), as the chapters print it.</summary>
    private const string DatasetPublished = @"^(\d{4}(-\d{2}(-\d{2})?)?|n\.d\.)$";

    /// <summary>The limit of a field of <paramref name="owner"/>; DimensionCondition's counts are 0 to 1,000.</summary>
    public static FieldLimit For(Type? owner, string key) =>
        (owner is null ? null : ByKey.GetValueOrDefault($"{owner.Name}.{key}"))
        ?? ByKey.GetValueOrDefault(key)
        ?? (owner?.Name == "DimensionCondition" ? new FieldLimit(Minimum: 0, Maximum: 1_000) : new FieldLimit());
}
