using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using JasperFx.Events;
using Wolverine.Attributes;

namespace ComplianceEvents.Integration;

/// <summary>
/// Versioned contracts other services consume (docs/integration.md, schemas in docs/events.md). They are derived from the stored
/// domain events and published from the event log by <see cref="PublishingEvents.IntegrationPublisher"/>, in log order.
/// Renaming or changing a field means a new version (V2), never an edit; adding a field is a documented, additive change.
/// The wire name of each contract (Wolverine message type, webhook X-Compliance-Event) is its record name, not its CLR full
/// name, so consumers need not share this assembly and moving a file renames nothing.
/// <para>Each carries where in the log it comes from, so a consumer can order and deduplicate without trusting delivery: the
/// stored event it was derived from (its global sequence, stream and version in that stream) and its place among the messages
/// derived from that event (0 for the first; a rubric revision's stale notices follow it as 1, 2, ...). (Sequence, Index)
/// grows strictly in publication order. Set by the publisher, the one place that knows the order.</para>
/// </summary>
public abstract record IntegrationEvent
{
    public abstract string CycleId { get; init; }

    /// <summary>The acting user's id as the entry point authenticated it (JWT subject, queue identity, CLI --user).</summary>
    public abstract string OccurredBy { get; init; }
    public abstract DateTimeOffset OccurredAt { get; init; }
    [JsonRequired] public long Sequence { get; init; }
    [JsonRequired] public int Index { get; init; }
    [JsonRequired] public string StreamKey { get; init; } = "";
    [JsonRequired] public long StreamVersion { get; init; }
}

[MessageIdentity(nameof(EvidenceRecordedV1))]
public sealed record EvidenceRecordedV1(string CycleId, string CommitmentId, string MemberCode, string EvidenceId, DateOnly ActionDate,
    IReadOnlyList<string> Flags, string OccurredBy, DateTimeOffset OccurredAt) : IntegrationEvent;

/// <summary><see cref="Flags"/> are those the proposal raised when it was decided (stored on ScoreProposed, never recomputed).</summary>
[MessageIdentity(nameof(ScoreProposedV1))]
public sealed record ScoreProposedV1(string CycleId, string CommitmentId, string MemberCode, string ProposalId, int Score, int RubricVersion,
    int? SuggestedScore, IReadOnlyList<string> Flags, string OccurredBy, DateTimeOffset OccurredAt) : IntegrationEvent;

[MessageIdentity(nameof(ScoreApprovedV1))]
public sealed record ScoreApprovedV1(string CycleId, string CommitmentId, string MemberCode, string ProposalId, int Score, int RubricVersion,
    string ProposedBy, string OccurredBy, DateTimeOffset OccurredAt) : IntegrationEvent;

[MessageIdentity(nameof(RubricRevisedV1))]
public sealed record RubricRevisedV1(string CycleId, string CommitmentId, int Version, int PreviousVersion, string Reason,
    string OccurredBy, DateTimeOffset OccurredAt) : IntegrationEvent;

[MessageIdentity(nameof(ReportPublishedV1))]
public sealed record ReportPublishedV1(string CycleId, string Kind, int Edition, DateOnly WindowStart, DateOnly Cutoff, long PinnedSequence,
    string ContentHash, string OccurredBy, DateTimeOffset OccurredAt) : IntegrationEvent;

/// <summary>An approved score now rests on an outdated rubric or on evidence changed after approval (DESIGN 1.2 rule 8).</summary>
[MessageIdentity(nameof(ApprovalWentStaleV1))]
public sealed record ApprovalWentStaleV1(string CycleId, string CommitmentId, string MemberCode, string ProposalId, string Reason,
    string OccurredBy, DateTimeOffset OccurredAt) : IntegrationEvent;

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
    /// The JSON schema of a contract's body as this host writes it (WireJson: camelCase, enums as strings), generated from the
    /// record so docs/events.md cannot drift from the code (a test compares them). Every property is always written and
    /// required; nullable ones say so (the records' nullable annotations).
    /// </summary>
    public static JsonNode Schema(Type contract) => SchemaOptions.GetJsonSchemaAsNode(contract,
        new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });

    private static readonly JsonSerializerOptions SchemaOptions = SchemaOf(WireJson.Options);

    private static JsonSerializerOptions SchemaOf(JsonSerializerOptions wire)
    {
        var options = new JsonSerializerOptions(wire)
        {
            // What is written: numbers as numbers (Web defaults also read them from strings, which a schema would show).
            NumberHandling = JsonNumberHandling.Strict,
            RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>
    /// The contract a stored domain event is published as, if any (IntegrationPublisher reads them from the log). The cell is
    /// the stream key's (assessment:cycle:commitment:member); who acted is the event's user header; when is the time it was stored.
    /// </summary>
    public static IntegrationEvent? From(IEvent e)
    {
        // Assessment events do not carry their cell: it is their stream key's (the one parse of it, CellKey).
        var (cycle, commitment, member) = e.Data is EvidenceRecorded or ScoreProposed or ScoreApproved
            ? CellKey.Parse(e.StreamKey!) : new CellKey("", "", "");
        var (by, at) = (OccurredBy(e), e.Timestamp);
        return e.Data switch
        {
            EvidenceRecorded x => new EvidenceRecordedV1(cycle, commitment, member, x.EvidenceId, x.ActionDate, x.Flags, by, at),
            ScoreProposed x => new ScoreProposedV1(cycle, commitment, member, x.ProposalId, x.Score, x.RubricVersion, x.SuggestedScore,
                x.Flags, by, at),
            ScoreApproved x => new ScoreApprovedV1(cycle, commitment, member, x.ProposalId, x.Score, x.RubricVersion, x.ProposedBy, by, at),
            RubricRevised x => new RubricRevisedV1(x.CycleId, x.CommitmentId, x.Rubric.Version, x.PreviousVersion, x.Reason, by, at),
            ReportPublished x => new ReportPublishedV1(x.CycleId, x.Kind.ToString().ToLowerInvariant(), x.Edition, x.WindowStart, x.Cutoff,
                x.PinnedSequence, x.ContentHash, by, at),
            _ => null,
        };
    }

    /// <summary>Who acted: the user header every appended event carries (Marten's user name for older events).</summary>
    public static string OccurredBy(IEvent e) => e.GetHeader(EventHeaders.User)?.ToString() ?? e.UserName ?? "";
}
