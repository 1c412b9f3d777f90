using ComplianceEvents.Infrastructure;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Integration.SubscribingWebhooks;

/// <summary>
/// Registers a URL to receive the named integration events ("*" for all), signed with the secret the
/// subscriber chose (it needs the same secret to verify, so the API never has to send one back).
/// </summary>
public sealed record SubscribeWebhook(string Url, IReadOnlyList<string> EventTypes, string Secret, string? Description = null)
{
    public sealed class Validator : AbstractValidator<SubscribeWebhook>
    {
        public Validator()
        {
            RuleFor(c => c.Url).NotEmpty().MaximumLength(2000)
                .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                .WithErrorCode("AbsoluteHttpUrl").WithMessage("The URL must be an absolute http or https URL.");
            RuleFor(c => c.EventTypes).NotEmpty();
            RuleForEach(c => c.EventTypes)
                .Must(t => t == WebhookSubscription.AllEvents || IntegrationEvents.Names.Contains(t, StringComparer.OrdinalIgnoreCase))
                .WithErrorCode("KnownEventType")
                .WithMessage(t => $"Unknown event type; use \"*\" or one of {string.Join(", ", IntegrationEvents.Names)}.");
            RuleFor(c => c.Secret).NotEmpty().MinimumLength(16).MaximumLength(256);
            RuleFor(c => c.Description).MaximumLength(500);
        }
    }
}

public static class SubscribeWebhookHandler
{
    public static Task<CommandResult> Run(SubscribeWebhook cmd, CommandContext context, IntegrationCommands commands, IDocumentStore store,
        TimeProvider clock, CancellationToken ct) =>
        commands.Run(cmd, context, "manage webhook subscriptions", async actor =>
        {
            var id = "wh-" + Guid.NewGuid().ToString("N")[..12];
            var types = cmd.EventTypes.Select(t => IntegrationEvents.Names.FirstOrDefault(n => n.Equals(t, StringComparison.OrdinalIgnoreCase)) ?? t)
                .Distinct().ToList();
            await using var session = store.LightweightSession();
            session.Insert(new WebhookSubscription(id, cmd.Url.Trim(), types, cmd.Secret, cmd.Description?.Trim(), actor.UserId, clock.GetUtcNow()));
            await Outages.Commit(() => session.SaveChangesAsync(ct), "the webhook subscription", context.CommandId);
            return IntegrationCommands.Done(id);
        });
}

public static class SubscribeWebhookEndpoint
{
    [WolverinePost("/integration/webhooks", OperationId = "SubscribeWebhook"), Tags("Integration")]
    public static Task<IResult> Post(SubscribeWebhook command, HttpContext http, IntegrationCommands commands, IDocumentStore store,
        TimeProvider clock) =>
        http.Send(context => SubscribeWebhookHandler.Run(command, context, commands, store, clock, http.RequestAborted),
            r => $"/integration/webhooks/{r.ResourceId}");
}
