using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Integration.DeliveringWebhooks;
using ComplianceEvents.Integration.DetectingStaleApprovals;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Wolverine;
using Wolverine.Marten.Subscriptions;

namespace ComplianceEvents.Integration.PublishingEvents;

/// <summary>
/// Publishes the integration events from the event log, a page of stored events at a time, in the log's order (so in each
/// stream's order too), run by Marten's async daemon on one node (HotCold). Commands only append; this subscription derives
/// each page's contracts and stale notices, sends them to every outbound queue and turns them into webhook deliveries,
/// reading the webhook subscriptions once per page. Wolverine enlists what it publishes in the page's own transaction, the
/// one that moves the subscription's progress (mt_event_progression): the messages are stored with the new position or not
/// at all, so a page processed again after a failure or a crash was never published before, and exactly once holds
/// (docs/integration.md "Outbound").
/// </summary>
public sealed class IntegrationPublisher : BatchSubscription
{
    public const string Name = "integration_events";

    /// <summary>The global sequence of the stored event a message was derived from: consumers may order or deduplicate by it.</summary>
    public const string EventSequenceHeader = "event-sequence";

    /// <summary>The message's place among those derived from that stored event (the body's index): with the sequence, unique.</summary>
    public const string EventIndexHeader = "event-index";

    private readonly IntegrationSettings _settings;

    public IntegrationPublisher(IntegrationSettings settings) : base(Name)
    {
        _settings = settings;
        foreach (var type in new[] { typeof(EvidenceRecorded), typeof(EvidenceAmended), typeof(EvidenceWithdrawn), typeof(ScoreProposed),
                     typeof(ScoreApproved), typeof(RubricRevised), typeof(ReportPublished) })
            IncludeType(type);
        // Its starting point on a database it never ran on is stored before anything appends (PublisherStart), so a crash
        // before its first page cannot make the next host start after events nobody published.
    }

    public override async Task ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations,
        IMessageBus bus, CancellationToken cancellationToken)
    {
        // The order is made here, by construction: the log's order, each notice right after the event that caused it, all of a
        // page in one list that goes to every queue as it is; (Sequence, Index) numbers it for consumers.
        var messages = new List<(IEvent Cause, IntegrationEvent Message)>();
        foreach (var e in page.Events.Where(e => !IsImported(e)))
        {
            IEnumerable<IntegrationEvent> derived = [];
            await ForEvent(e, async () =>
            {
                derived = IntegrationEvents.From(e) is { } published ? [published] : [];
                derived = derived.Concat(await StaleApprovalNotices.After(e, operations, cancellationToken)).ToList();
            });
            messages.AddRange(derived.Select((m, index) => (e, m with
            {
                Sequence = e.Sequence, Index = index, StreamKey = e.StreamKey!, StreamVersion = e.Version,
            })));
        }
        if (messages.Count == 0) return;

        var subscriptions = await operations.Query<WebhookSubscription>().ToListAsync(cancellationToken);
        foreach (var (cause, message) in messages)
            await ForEvent(cause, async () =>
            {
                if (_settings.OutboundQueues.Count > 0)
                    await bus.PublishAsync(message, new DeliveryOptions()
                        .WithHeader(EventSequenceHeader, cause.Sequence.ToString(CultureInfo.InvariantCulture))
                        .WithHeader(EventIndexHeader, message.Index.ToString(CultureInfo.InvariantCulture)));
                foreach (var delivery in WebhookFanOut.Deliveries(message, MessageKey(cause, message.Index), subscriptions))
                    await bus.PublishAsync(delivery);
            });
    }

    /// <summary>
    /// A failure while handling one stored event names it (ApplyEventException carries its sequence, stream and version): the
    /// daemon pauses the publisher there and /health reports that event (PausedShards), where a bare exception would name a page.
    /// </summary>
    private static async Task ForEvent(IEvent e, Func<Task> work)
    {
        try { await work(); }
        catch (Exception ex) when (ex is not OperationCanceledException and not ApplyEventException)
        {
            throw new ApplyEventException(e, ex);
        }
    }

    /// <summary>
    /// Imports are history, not news: a dataset or score matrix is loaded in one transaction with command ids of its own
    /// ("import:...", "import-csv:..."), and what it appends is not announced (docs/import-format.md).
    /// </summary>
    public static bool IsImported(IEvent e) =>
        e.GetHeader(EventHeaders.CommandId)?.ToString() is { } id
        && (id.StartsWith("import:", StringComparison.Ordinal) || id.StartsWith("import-csv:", StringComparison.Ordinal));

    /// <summary>The n-th message derived from a stored event, the same whenever the event is read.</summary>
    public static Guid MessageKey(IEvent cause, int index) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{cause.Id:N}:{index}")).AsSpan(0, 16));
}
