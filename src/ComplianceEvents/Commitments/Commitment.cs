using ComplianceEvents.Infrastructure;
using JasperFx.Core;

namespace ComplianceEvents.Commitments;

/// <summary>Write model and inline snapshot of a <c>commitment:{cycle}:{commitment}</c> stream.</summary>
public sealed record Commitment(string Id, string CycleId, string CommitmentId, int Number, string IssueArea, string Title,
    string Text, string Source, IReadOnlyList<string> Background, IReadOnlyList<string> Features,
    IReadOnlyList<Dimension> Dimensions, IReadOnlyList<Definition> Definitions, IReadOnlyList<string> InterpretiveGuidelines,
    string LeadAnalyst, string? ComplianceDirector)
{
    public static string StreamKey(string cycleId, string commitmentId) => $"commitment:{cycleId}:{commitmentId}";

    public IReadOnlyDictionary<string, string> NotApplicable { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<Rubric> Rubrics { get; init; } = [];
    public long Version { get; set; }

    public Rubric? CurrentRubric => Rubrics.Count == 0 ? null : Rubrics[^1];
    public Rubric? RubricVersion(int version) => Rubrics.FirstOrDefault(r => r.Version == version);
    public bool IsApplicable(string memberCode) => !NotApplicable.ContainsKey(memberCode);

    /// <summary>
    /// DESIGN 1.2 rule 10: the commitment's own lead analyst or compliance director, a holder of either
    /// role scoped to this commitment, or a cycle-wide compliance director.
    /// </summary>
    public bool CanReview(Actor actor) =>
        UserIds.Same(actor.UserId, LeadAnalyst) || UserIds.Same(actor.UserId, ComplianceDirector) || actor.IsDirector
        || actor.HasRole(Roles.Scoped(Roles.LeadAnalyst, CycleId, CommitmentId))
        || actor.HasRole(Roles.Scoped(Roles.ComplianceDirector, CycleId, CommitmentId));

    public RuleViolation? RequireReviewer(Actor actor, string action) => CanReview(actor) ? null
        : RuleViolation.Forbidden("reviewer-required",
            $"Only the lead analyst or compliance director of commitment {CycleId}/{CommitmentId} may {action}.");

    /// <summary>
    /// The one event-to-state dispatch of a commitment stream, for every fold (the inline snapshot, the as-of fold, an import in
    /// memory); events of other streams leave the state as it is. Marten folds through this method only ([JasperFxIgnore]).
    /// </summary>
    public static Commitment? Fold(Commitment? c, object e) => (c, e) switch
    {
        (_, CommitmentSelected x) => Create(x),
        (null, _) => null,
        (_, CommitmentRenumbered x) => c.Apply(x),
        (_, MemberMarkedNotApplicable x) => c.Apply(x),
        (_, MemberApplicabilityRestored x) => c.Apply(x),
        (_, RubricPublished x) => c.Apply(x),
        (_, RubricRevised x) => c.Apply(x),
        _ => c,
    };

    [JasperFxIgnore]
    public static Commitment Create(CommitmentSelected e) =>
        new(StreamKey(e.CycleId, e.CommitmentId), e.CycleId, e.CommitmentId, e.Number, e.IssueArea, e.Title, e.Text, e.Source,
            e.Background, e.Features, e.Dimensions, e.Definitions, e.InterpretiveGuidelines, e.LeadAnalyst, e.ComplianceDirector);

    [JasperFxIgnore]
    public Commitment Apply(CommitmentRenumbered e) => this with { Number = e.NewNumber };

    [JasperFxIgnore]
    public Commitment Apply(MemberMarkedNotApplicable e) =>
        this with { NotApplicable = new Dictionary<string, string>(NotApplicable) { [e.MemberCode] = e.Reason } };

    [JasperFxIgnore]
    public Commitment Apply(MemberApplicabilityRestored e) =>
        this with { NotApplicable = NotApplicable.Where(kv => kv.Key != e.MemberCode).ToDictionary() };

    [JasperFxIgnore]
    public Commitment Apply(RubricPublished e) => this with { Rubrics = [e.Rubric] };

    [JasperFxIgnore]
    public Commitment Apply(RubricRevised e) => this with { Rubrics = [.. Rubrics, e.Rubric] };
}
