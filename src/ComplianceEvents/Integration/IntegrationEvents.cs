using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Integration;

/// <summary>
/// Versioned contracts other services consume (docs/integration.md). They are published through
/// Wolverine's durable outbox in the transaction that stores the domain events that caused them.
/// Renaming or changing a field means a new version (V2), never an edit.
/// </summary>
public interface IIntegrationEvent
{
    string CycleId { get; }
    string OccurredBy { get; }
    DateTimeOffset OccurredAt { get; }
}

public sealed record EvidenceRecordedV1(string CycleId, string CommitmentId, string MemberCode, string EvidenceId, DateOnly ActionDate,
    IReadOnlyList<string> Flags, string OccurredBy, DateTimeOffset OccurredAt) : IIntegrationEvent;

public sealed record ScoreProposedV1(string CycleId, string CommitmentId, string MemberCode, string ProposalId, int Score, int RubricVersion,
    int? SuggestedScore, string OccurredBy, DateTimeOffset OccurredAt) : IIntegrationEvent;

public sealed record ScoreApprovedV1(string CycleId, string CommitmentId, string MemberCode, string ProposalId, int Score, int RubricVersion,
    string ProposedBy, string OccurredBy, DateTimeOffset OccurredAt) : IIntegrationEvent;

public sealed record RubricRevisedV1(string CycleId, string CommitmentId, int Version, int PreviousVersion, string Reason,
    string OccurredBy, DateTimeOffset OccurredAt) : IIntegrationEvent;

public sealed record ReportPublishedV1(string CycleId, string Kind, int Edition, DateOnly WindowStart, DateOnly Cutoff, long PinnedSequence,
    string ContentHash, string OccurredBy, DateTimeOffset OccurredAt) : IIntegrationEvent;

/// <summary>An approved score now rests on an outdated rubric or on evidence changed after approval (DESIGN 1.2 rule 8).</summary>
public sealed record ApprovalWentStaleV1(string CycleId, string CommitmentId, string MemberCode, string ProposalId, string Reason,
    string OccurredBy, DateTimeOffset OccurredAt) : IIntegrationEvent;

public static class IntegrationEvents
{
    /// <summary>The integration messages a command's domain events imply; the cell comes from the stream key.</summary>
    public static IEnumerable<IIntegrationEvent> From(string streamKey, IEnumerable<object> events, Actor actor, DateTimeOffset now)
    {
        var parts = streamKey.Split(':');
        var (cycle, commitment, member) = (parts.ElementAtOrDefault(1) ?? "", parts.ElementAtOrDefault(2) ?? "", parts.ElementAtOrDefault(3) ?? "");
        foreach (var e in events)
        {
            IIntegrationEvent? message = e switch
            {
                EvidenceRecorded x => new EvidenceRecordedV1(cycle, commitment, member, x.EvidenceId, x.ActionDate, x.Flags, actor.UserId, now),
                ScoreProposed x => new ScoreProposedV1(cycle, commitment, member, x.ProposalId, x.Score, x.RubricVersion, x.SuggestedScore, actor.UserId, now),
                ScoreApproved x => new ScoreApprovedV1(cycle, commitment, member, x.ProposalId, x.Score, x.RubricVersion, x.ProposedBy, actor.UserId, now),
                RubricRevised x => new RubricRevisedV1(x.CycleId, x.CommitmentId, x.Rubric.Version, x.PreviousVersion, x.Reason, actor.UserId, now),
                ReportPublished x => new ReportPublishedV1(x.CycleId, x.Kind.ToString().ToLowerInvariant(), x.Edition, x.WindowStart, x.Cutoff,
                    x.PinnedSequence, x.ContentHash, actor.UserId, now),
                _ => null,
            };
            if (message is not null) yield return message;
        }
    }
}
