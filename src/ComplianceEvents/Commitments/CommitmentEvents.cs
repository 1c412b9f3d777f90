using ComplianceEvents.Assessments;

namespace ComplianceEvents.Commitments;

public sealed record Dimension(string Code, string Name, string? Description = null);

public sealed record Definition(string Term, string Meaning, Citation? Citation = null);

public sealed record CommitmentSelected(string CycleId, string CommitmentId, int Number, string IssueArea, string Title,
    string Text, string Source, IReadOnlyList<string> Background, IReadOnlyList<string> Features,
    IReadOnlyList<Dimension> Dimensions, IReadOnlyList<Definition> Definitions, IReadOnlyList<string> InterpretiveGuidelines,
    string LeadAnalyst, string? ComplianceDirector);

public sealed record CommitmentRenumbered(string CycleId, string CommitmentId, int OldNumber, int NewNumber, string Reason);

public sealed record MemberMarkedNotApplicable(string CycleId, string CommitmentId, string MemberCode, string Reason);

public sealed record MemberApplicabilityRestored(string CycleId, string CommitmentId, string MemberCode, string Reason);

public sealed record RubricPublished(string CycleId, string CommitmentId, Rubric Rubric);

public sealed record RubricRevised(string CycleId, string CommitmentId, Rubric Rubric, int PreviousVersion, string Reason);
