namespace ComplianceEvents.Assessments;

/// <summary>First event of every <c>assessment:{cycle}:{commitment}:{member}</c> stream: names the cell.</summary>
public sealed record AssessmentOpened(string CycleId, string CommitmentId, string MemberCode);

/// <summary><paramref name="Flags"/>: what the system noticed when recording (outside a window, suspect access date); never a refusal.</summary>
public sealed record EvidenceRecorded(string EvidenceId, DateOnly ActionDate, string Summary, IReadOnlyList<string> Dimensions,
    Strength? Strength, IReadOnlyList<Citation> Citations, IReadOnlyList<string> Flags);

/// <summary>Replaces the evidence's content; the earlier content stays in the log.</summary>
public sealed record EvidenceAmended(string EvidenceId, DateOnly ActionDate, string Summary, IReadOnlyList<string> Dimensions,
    Strength? Strength, IReadOnlyList<Citation> Citations, string Reason, IReadOnlyList<string> Flags);

public sealed record EvidenceWithdrawn(string EvidenceId, string Reason);

/// <summary>
/// <paramref name="SuggestedScore"/>: what the rubric's dimension rules suggested at the time; a disagreement is flagged, not refused.
/// <paramref name="Analysts"/>: everyone the report names under the member's section, the proposer first.
/// </summary>
public sealed record ScoreProposed(string ProposalId, int Score, string Rationale, IReadOnlyList<string> EvidenceIds, int RubricVersion,
    string ProposedBy, DateTimeOffset ProposedAt, int? SuggestedScore, IReadOnlyList<string> Flags, IReadOnlyList<string>? Analysts = null);

public sealed record ProposalReturned(string ProposalId, string Reason, string ReturnedBy, DateTimeOffset ReturnedAt);

public sealed record ScoreApproved(string ProposalId, int Score, int RubricVersion, IReadOnlyList<string> EvidenceIds,
    string ProposedBy, string ApprovedBy, DateTimeOffset ApprovedAt, string? Comment);

public sealed record ScoreRejected(string ProposalId, string Reason, string RejectedBy, DateTimeOffset RejectedAt);
