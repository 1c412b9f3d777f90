using Wolverine.Attributes;

namespace Integrator;

// The sample's own copies of the messages it exchanges with ComplianceEvents: it references no project of the product,
// only the wire names and JSON shapes docs/integration.md and docs/events.md give.

/// <summary>A command, under the wire name of the product's command (its full .NET type name).</summary>
[MessageIdentity("ComplianceEvents.Assessments.RecordingEvidence.RecordEvidence")]
public sealed record RecordEvidence(string CycleId, string CommitmentId, string MemberCode, DateOnly ActionDate, string Summary,
    IReadOnlyList<Citation> Citations, IReadOnlyList<string>? Dimensions, string? Strength, string? EvidenceId, long? ExpectedVersion);

public sealed record Citation(string Title, string Publisher, string? Place, string? Published, DateOnly? Accessed, string Url,
    string? Translation);

/// <summary>
/// An integration event, under its contract name. <see cref="Sequence"/> and <see cref="Index"/> are its place in the log:
/// they grow strictly in publication order, so a consumer orders and deduplicates by them (docs/integration.md).
/// </summary>
[MessageIdentity("EvidenceRecordedV1")]
public sealed record EvidenceRecordedV1(string CycleId, string CommitmentId, string MemberCode, string EvidenceId, DateOnly ActionDate,
    IReadOnlyList<string> Flags, string OccurredBy, DateTimeOffset OccurredAt, long Sequence, int Index, string StreamKey,
    long StreamVersion);

/// <summary>The answer to a command sent with a reply wanted (docs/integration.md "Replies"), under its contract name.</summary>
[MessageIdentity("CommandOutcomeV1")]
public sealed record CommandOutcomeV1(string? CommandId, Guid RequestId, string? CorrelationId, string CommandType, string Outcome,
    bool Replayed, string? StreamKey, long? Version, string? ResourceId, IReadOnlyList<Guid> EventIds, IReadOnlyList<string> Flags,
    string? Rule, string? Message, IReadOnlyList<FieldErrorV1> Errors);

public sealed record FieldErrorV1(string Field, string Rule, string Message);
