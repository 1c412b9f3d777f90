using ComplianceEvents.Infrastructure;
using Marten;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Integration.UnsubscribingWebhooks;

/// <summary>Removes a subscription and its secret; deliveries still queued for it are dropped when they come up.</summary>
public sealed record UnsubscribeWebhook(string SubscriptionId);

public static class UnsubscribeWebhookHandler
{
    public static Task<CommandResult> Run(UnsubscribeWebhook cmd, CommandContext context, IntegrationCommands commands,
        IDocumentStore store,
        CancellationToken ct) =>
        commands.Run(cmd, context, "manage webhook subscriptions", async _ =>
        {
            await using var session = store.LightweightSession();
            if (await session.LoadAsync<WebhookSubscription>(cmd.SubscriptionId, ct) is null)
                return CommandResult.Refused(RuleViolation.NotFound("webhook-not-found", $"Webhook subscription '{cmd.SubscriptionId}' does not exist."));
            session.Delete<WebhookSubscription>(cmd.SubscriptionId);
            await Outages.Commit(() => session.SaveChangesAsync(ct), "the unsubscription", context.CommandId);
            return IntegrationCommands.Done(cmd.SubscriptionId);
        });
}

public static class UnsubscribeWebhookEndpoint
{
    [WolverineDelete("/integration/webhooks/{id}", OperationId = "UnsubscribeWebhook"), Tags("Integration")]
    public static Task<IResult> Delete(string id, HttpContext http, IntegrationCommands commands, IDocumentStore store) =>
        http.Send(context => UnsubscribeWebhookHandler.Run(new UnsubscribeWebhook(id), context, commands, store, http.RequestAborted));
}
