namespace ComplianceEvents.Integration;

/// <summary>
/// A webhook subscriber, stored as a Marten document rather than a stream: its secret must be
/// replaceable and erasable, which an immutable event log cannot promise (docs/integration.md).
/// </summary>
public sealed record WebhookSubscription(string Id, string Url, IReadOnlyList<string> EventTypes, string Secret, string? Description,
    string CreatedBy, DateTimeOffset CreatedAt)
{
    public const string AllEvents = "*";

    public bool Wants(string eventType) => EventTypes.Contains(AllEvents) || EventTypes.Contains(eventType, StringComparer.OrdinalIgnoreCase);
}

/// <summary>What the API shows of a subscription: never its secret.</summary>
public sealed record WebhookSubscriptionView(string Id, string Url, IReadOnlyList<string> EventTypes, string? Description,
    string CreatedBy, DateTimeOffset CreatedAt)
{
    public static WebhookSubscriptionView From(WebhookSubscription s) => new(s.Id, s.Url, s.EventTypes, s.Description, s.CreatedBy, s.CreatedAt);
}
