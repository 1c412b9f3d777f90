using System.Security.Cryptography;
using System.Text;

namespace ComplianceEvents.Integration.DeliveringWebhooks;

/// <summary>The webhook headers and their signature (docs/integration.md "Webhooks").</summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Compliance-Signature";
    public const string TimestampHeader = "X-Compliance-Timestamp";
    public const string EventHeader = "X-Compliance-Event";
    public const string DeliveryHeader = "X-Compliance-Delivery";
    public const string AttemptHeader = "X-Compliance-Attempt";

    /// <summary>
    /// "sha256=" + lowercase hex of HMAC-SHA256(key: UTF-8 secret, data: UTF-8 "{timestamp}.{body}").
    /// The timestamp (Unix seconds) is signed with the body so a captured request cannot be replayed later.
    /// </summary>
    public static string Sign(string secret, string timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    /// <summary>What a receiver does: recompute and compare in constant time.</summary>
    public static bool Verify(string secret, string timestamp, string body, string signature) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, timestamp, body)), Encoding.ASCII.GetBytes(signature));

    /// <summary>
    /// The same id for every attempt and replay of one event to one subscription, so receivers can drop
    /// duplicates (delivery is at least once).
    /// </summary>
    public static Guid DeliveryId(Guid messageKey, string subscriptionId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{messageKey:N}:{subscriptionId}")).AsSpan(0, 16));
}
