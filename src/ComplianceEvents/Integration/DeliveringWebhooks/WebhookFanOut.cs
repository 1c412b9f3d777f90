using ComplianceEvents.Infrastructure;
using System.Text.Json;
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
    /// One delivery per subscription that wants the event, from the subscriptions the caller read once for its whole page.
    /// <paramref name="messageKey"/> is stable for this message of this stored event, so a delivery keeps its id for good.
    /// </summary>
    public static IEnumerable<DeliverWebhook> Deliveries(IntegrationEvent e, Guid messageKey,
        IReadOnlyList<WebhookSubscription> subscriptions)
    {
        var type = e.GetType().Name;
        var wanted = subscriptions.Where(s => s.Wants(type)).ToList();
        if (wanted.Count == 0) return [];
        var body = JsonSerializer.Serialize(e, e.GetType(), WireJson.Options);
        return wanted.Select(s => new DeliverWebhook(WebhookSignature.DeliveryId(messageKey, s.Id), s.Id, type, body));
    }
}
