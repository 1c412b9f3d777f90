using ComplianceEvents.Integration.DeliveringWebhooks;
using ComplianceEvents.Integration.DetectingStaleApprovals;
using Marten;
using Wolverine;

namespace ComplianceEvents.Integration;

/// <summary>
/// Each integration event, read back from the durable local "integration" queue: its webhook deliveries
/// and, for a rubric revision, the approvals it left stale. One handler per event type on purpose: what
/// it returns is cascaded together after it succeeds, so a failure sends nothing and the retry computes
/// the same messages (Wolverine would otherwise combine two handlers of one type, a mode it is retiring).
/// </summary>
public static class IntegrationEventHandler
{
    public static Task<OutgoingMessages> Handle(EvidenceRecordedV1 e, Envelope envelope, IQuerySession session, CancellationToken ct) => React(e, envelope, session, ct);
    public static Task<OutgoingMessages> Handle(ScoreProposedV1 e, Envelope envelope, IQuerySession session, CancellationToken ct) => React(e, envelope, session, ct);
    public static Task<OutgoingMessages> Handle(ScoreApprovedV1 e, Envelope envelope, IQuerySession session, CancellationToken ct) => React(e, envelope, session, ct);
    public static Task<OutgoingMessages> Handle(RubricRevisedV1 e, Envelope envelope, IQuerySession session, CancellationToken ct) => React(e, envelope, session, ct);
    public static Task<OutgoingMessages> Handle(ReportPublishedV1 e, Envelope envelope, IQuerySession session, CancellationToken ct) => React(e, envelope, session, ct);
    public static Task<OutgoingMessages> Handle(ApprovalWentStaleV1 e, Envelope envelope, IQuerySession session, CancellationToken ct) => React(e, envelope, session, ct);

    private static async Task<OutgoingMessages> React(IIntegrationEvent e, Envelope envelope, IQuerySession session, CancellationToken ct)
    {
        var messages = new OutgoingMessages();
        messages.AddRange(await WebhookFanOut.Deliveries(e, envelope.Id, session, ct));
        if (e is RubricRevisedV1 revised) messages.AddRange(await StaleApprovals.AfterRevision(revised, session, ct));
        return messages;
    }
}
