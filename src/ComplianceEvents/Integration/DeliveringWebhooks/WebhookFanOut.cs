using System.Text.Json;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace ComplianceEvents.Integration.DeliveringWebhooks;

/// <summary>
/// One webhook POST still to make: the body is fixed here so every retry signs the same bytes. A stable
/// wire name, because dead letters outlive deployments and must still replay after a refactoring.
/// </summary>
[MessageIdentity(nameof(DeliverWebhook))]
public sealed record DeliverWebhook(Guid DeliveryId, string SubscriptionId, string EventType, string Body);

public static class WebhookFanOut
{
    /// <summary>
    /// One delivery per subscription that wants the event. <paramref name="eventMessageId"/> is the id of
    /// the envelope that carried the event here, so a retried fan-out yields the same delivery ids.
    /// </summary>
    public static async Task<IReadOnlyList<DeliverWebhook>> Deliveries(IIntegrationEvent e, Guid eventMessageId, IQuerySession session,
        CancellationToken ct)
    {
        var type = e.GetType().Name;
        var subscriptions = await session.Query<WebhookSubscription>().ToListAsync(ct);
        var wanted = subscriptions.Where(s => s.Wants(type)).ToList();
        if (wanted.Count == 0) return [];
        var body = JsonSerializer.Serialize(e, e.GetType(), IntegrationJson.Options);
        return wanted.Select(s => new DeliverWebhook(WebhookSignature.DeliveryId(eventMessageId, s.Id), s.Id, type, body)).ToList();
    }
}
