using System.Globalization;
using System.Text;
using Marten;
using Wolverine;

namespace ComplianceEvents.Integration.DeliveringWebhooks;

/// <summary>The receiver did not take the delivery; Wolverine retries it with backoff, then dead-letters it (IntegrationSetup).</summary>
public sealed class WebhookDeliveryFailedException(string message, Exception? inner = null) : Exception(message, inner);

public static class DeliverWebhookHandler
{
    public const string HttpClientName = "webhooks";

    public static async Task Handle(DeliverWebhook delivery, Envelope envelope, IQuerySession session, IHttpClientFactory clients,
        TimeProvider clock, ILogger<WebhookSubscription> logger, CancellationToken ct)
    {
        // Loaded now, not when the event happened: an unsubscribed URL gets nothing and the secret never sits in a queue row.
        if (await session.LoadAsync<WebhookSubscription>(delivery.SubscriptionId, ct) is not { } subscription)
        {
            logger.LogInformation("Webhook delivery {DeliveryId} dropped: subscription {SubscriptionId} no longer exists",
                delivery.DeliveryId, delivery.SubscriptionId);
            return;
        }

        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.EventHeader, delivery.EventType);
        request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.DeliveryId.ToString());
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp);
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(subscription.Secret, timestamp, delivery.Body));
        request.Headers.Add(WebhookSignature.AttemptHeader, Math.Max(1, envelope.Attempts).ToString(CultureInfo.InvariantCulture));

        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(HttpClientName).SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new WebhookDeliveryFailedException($"POST {Describe(subscription.Url)} failed: {e.Message}", e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw new WebhookDeliveryFailedException($"POST {Describe(subscription.Url)} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    // The dead-letter reason names the host, not the full URL, which may carry a token in its query.
    private static string Describe(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}" : "?";
}
