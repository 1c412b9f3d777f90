using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Auth;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ComplianceEvents.Integration.ListingWebhooks;

/// <summary>Subscriptions as the API shows them: URL and event types, never the secret.</summary>
public static class ListWebhooksEndpoint
{
    [WolverineGet("/integration/webhooks", OperationId = "ListWebhooks"), Tags("Integration"),
        ProducesResponseType<IReadOnlyList<WebhookSubscriptionView>>(StatusCodes.Status200OK)]
    public static async Task<IResult> List(IQuerySession session, HttpContext http, CancellationToken ct)
    {
        if (IntegrationCommands.Refusal(DevTokens.ActorOf(http.User), "read webhook subscriptions") is { } refused) return refused.ToHttp(http);
        var all = await session.Query<WebhookSubscription>().OrderBy(s => s.CreatedAt).ToListAsync(ct);
        return Results.Ok(all.Select(WebhookSubscriptionView.From).ToList());
    }

    [WolverineGet("/integration/webhooks/{id}", OperationId = "GetWebhook"), Tags("Integration"),
        ProducesResponseType<WebhookSubscriptionView>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(string id, IQuerySession session, HttpContext http, CancellationToken ct)
    {
        if (IntegrationCommands.Refusal(DevTokens.ActorOf(http.User), "read webhook subscriptions") is { } refused) return refused.ToHttp(http);
        return await session.LoadAsync<WebhookSubscription>(id, ct) is { } subscription
            ? Results.Ok(WebhookSubscriptionView.From(subscription))
            : Problems.NotFound(http, "webhook", $"Webhook subscription '{id}' does not exist.");
    }
}
