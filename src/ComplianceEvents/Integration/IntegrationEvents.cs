using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using Wolverine.Attributes;

namespace ComplianceEvents.Integration;

/// <summary>
/// Versioned contracts other services consume (docs/integration.md). They are published through
/// Wolverine's durable outbox in the transaction that stores the domain events that caused them.
/// Renaming or changing a field means a new version (V2), never an edit. The wire name of each
/// contract (Wolverine message type, webhook X-Compliance-Event) is its record name, not its CLR full name,
/// so consumers need not share this assembly and moving a file renames nothing.
/// </summary>
public interface IIntegrationEvent
{
    string CycleId { get; }
    string OccurredBy { get; }
    DateTimeOffset OccurredAt { get; }
}

[MessageIdentity(nameof(EvidenceRecordedV1))]
public sealed record EvidenceRecordedV1(string CycleId, string CommitmentId, string MemberCode, string EvidenceId, DateOnly ActionDate,
    IReadOnlyList<string> Flags, string OccurredBy, DateTimeOffset OccurredAt) : IIntegrationEvent;

[MessageIdentity(nameof(ScoreProposedV1))]
public sealed record ScoreProposedV1(string CycleId, string CommitmentId, string MemberCode, string ProposalId, int Score, int RubricVersion,
    int? SuggestedScore, string OccurredBy, DateTimeOffset OccurredAt) : IIntegrationEvent;

[MessageIdentity(nameof(ScoreApprovedV1))]
public sealed record ScoreApprovedV1(string CycleId, string CommitmentId, string MemberCode, string ProposalId, int Score, int RubricVersion,
    string ProposedBy, string OccurredBy, DateTimeOffset OccurredAt) : IIntegrationEvent;

[MessageIdentity(nameof(RubricRevisedV1))]
public sealed record RubricRevisedV1(string CycleId, string CommitmentId, int Version, int PreviousVersion, string Reason,
    string OccurredBy, DateTimeOffset OccurredAt) : IIntegrationEvent;

[MessageIdentity(nameof(ReportPublishedV1))]
public sealed record ReportPublishedV1(string CycleId, string Kind, int Edition, DateOnly WindowStart, DateOnly Cutoff, long PinnedSequence,
    string ContentHash, string OccurredBy, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>An approved score now rests on an outdated rubric or on evidence changed after approval (DESIGN 1.2 rule 8).</summary>
[MessageIdentity(nameof(ApprovalWentStaleV1))]
public sealed record ApprovalWentStaleV1(string CycleId, string CommitmentId, string MemberCode, string ProposalId, string Reason,
    string OccurredBy, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>
/// Internal, never leaves the host: evidence of a cell was amended or withdrawn at stream version
/// <see cref="Version"/>. Whether that leaves an approval stale needs the cell's state just before,
/// so the Integration module decides it in a handler (DetectingStaleApprovals), not in <see cref="IntegrationEvents.From"/>.
/// </summary>
[MessageIdentity(nameof(EvidenceChanged))]
public sealed record EvidenceChanged(string CycleId, string CommitmentId, string MemberCode, string EvidenceId, string Change, long Version,
    string OccurredBy, DateTimeOffset OccurredAt);

public static class IntegrationEvents
{
    /// <summary>Every published contract; their names are what webhook subscriptions filter on.</summary>
    public static readonly IReadOnlyList<Type> Contracts =
    [
        typeof(EvidenceRecordedV1), typeof(ScoreProposedV1), typeof(ScoreApprovedV1),
        typeof(RubricRevisedV1), typeof(ReportPublishedV1), typeof(ApprovalWentStaleV1),
    ];

    public static readonly IReadOnlyList<string> Names = Contracts.Select(t => t.Name).ToList();

    /// <summary>
    /// The messages a command's domain events imply: integration contracts, plus internal notices the
    /// Integration module reacts to. The cell comes from the stream key; <paramref name="startingVersion"/>
    /// is the stream's version before these events, so each event's own version is known.
    /// </summary>
    public static IEnumerable<object> From(string streamKey, IEnumerable<object> events, Actor actor, DateTimeOffset now, long startingVersion = 0)
    {
        var parts = streamKey.Split(':');
        var (cycle, commitment, member) = (parts.ElementAtOrDefault(1) ?? "", parts.ElementAtOrDefault(2) ?? "", parts.ElementAtOrDefault(3) ?? "");
        var version = startingVersion;
        foreach (var e in events)
        {
            version++;
            object? message = e switch
            {
                EvidenceRecorded x => new EvidenceRecordedV1(cycle, commitment, member, x.EvidenceId, x.ActionDate, x.Flags, actor.UserId, now),
                ScoreProposed x => new ScoreProposedV1(cycle, commitment, member, x.ProposalId, x.Score, x.RubricVersion, x.SuggestedScore, actor.UserId, now),
                ScoreApproved x => new ScoreApprovedV1(cycle, commitment, member, x.ProposalId, x.Score, x.RubricVersion, x.ProposedBy, actor.UserId, now),
                RubricRevised x => new RubricRevisedV1(x.CycleId, x.CommitmentId, x.Rubric.Version, x.PreviousVersion, x.Reason, actor.UserId, now),
                ReportPublished x => new ReportPublishedV1(x.CycleId, x.Kind.ToString().ToLowerInvariant(), x.Edition, x.WindowStart, x.Cutoff,
                    x.PinnedSequence, x.ContentHash, actor.UserId, now),
                EvidenceAmended x => new EvidenceChanged(cycle, commitment, member, x.EvidenceId, "evidence-amended", version, actor.UserId, now),
                EvidenceWithdrawn x => new EvidenceChanged(cycle, commitment, member, x.EvidenceId, "evidence-withdrawn", version, actor.UserId, now),
                _ => null,
            };
            if (message is not null) yield return message;
        }
    }
}
