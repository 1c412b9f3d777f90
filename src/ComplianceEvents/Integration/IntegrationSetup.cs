using System.Text.Json;
using System.Text.Json.Serialization;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Integration.DeliveringWebhooks;
using Marten;
using Wolverine;
using Wolverine.Configuration;
using Wolverine.ErrorHandling;
using Wolverine.Postgresql;
using Wolverine.Postgresql.Transport;

namespace ComplianceEvents.Integration;

/// <summary>
/// The wire format of every message this host sends or reads (queues and webhook bodies): the HTTP
/// API's conventions, camelCase with enums as strings, read case-insensitively.
/// </summary>
public static class IntegrationJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.PropertyNameCaseInsensitive = true;
        o.Converters.Add(new JsonStringEnumConverter());
        return o;
    }
}

/// <summary>Composition of the integration module: queues, outbound routing, webhooks (docs/integration.md).</summary>
public static class IntegrationSetup
{
    /// <summary>Local durable queues: integration events fanned out to webhooks, and the webhook POSTs themselves.</summary>
    public const string EventsQueue = "integration", WebhooksQueue = "webhooks";

    public static WebApplicationBuilder AddIntegration(this WebApplicationBuilder builder)
    {
        var settings = IntegrationSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<EnvelopeActors>();
        builder.Services.AddSingleton<IEnvelopeSenders>(sp => sp.GetRequiredService<EnvelopeActors>());
        builder.Services.AddSingleton<IntegrationCommands>();
        builder.Services.AddHttpClient(DeliverWebhookHandler.HttpClientName, c => c.Timeout = settings.Webhooks.Timeout);
        builder.Services.ConfigureMarten(o => o.Schema.For<WebhookSubscription>());
        return builder;
    }

    public static void ConfigureMessaging(WolverineOptions opts, IConfiguration configuration)
    {
        var settings = IntegrationSettings.From(configuration);
        opts.UseSystemTextJsonForSerialization(o => IntegrationJson.Configure(o));
        if (settings.RecoveryPollingInterval is { } polling) opts.Durability.ScheduledJobPollingTime = polling;

        // Queue tables (wolverine_queues.wolverine_queue_<name>) are created on start, like Marten's schema.
        opts.Transports.GetOrCreate<PostgresqlTransport>().AutoProvision = true;
        // A CLI command is a short-lived process: queued commands are the server's to take, not an import's.
        if (settings.Inbound.Enabled && !CliHost.IsCommand(Environment.GetCommandLineArgs()[1..]))
        {
            // Sequential by default: a harvesting pipeline sends RecordEvidence before the ProposeScore that cites it.
            var inbound = opts.ListenToPostgresqlQueue(settings.Inbound.Queue).PollingInterval(settings.Inbound.PollingInterval);
            if (settings.Inbound.Parallelism == 1) inbound.Sequential();
            else inbound.MaximumParallelMessages(settings.Inbound.Parallelism);
        }
        // A message type nobody handles is kept for inspection rather than logged and lost.
        opts.UnknownMessageBehavior = UnknownMessageBehavior.DeadLetterQueue;

        // Integration events: to every outbound queue, and to the local queue that fans them out to webhooks.
        // Published inside the command's Marten transaction (CommandRunner), so they commit with its events or not at all.
        // Publish(lambda), not Publish().X(): the parameterless form never attaches its rules to the routing.
        foreach (var queue in settings.OutboundQueues)
            opts.Publish(p => p.IntegrationEvents().ToPostgresqlQueue(queue));
        opts.Publish(p => p.IntegrationEvents().ToLocalQueue(EventsQueue));
        opts.PublishMessage<EvidenceChanged>().ToLocalQueue(EventsQueue);
        opts.LocalQueue(EventsQueue).UseDurableInbox();
        opts.PublishMessage<DeliverWebhook>().ToLocalQueue(WebhooksQueue);
        opts.LocalQueue(WebhooksQueue).UseDurableInbox().MaximumParallelMessages(settings.Webhooks.Parallelism);

        // Retried in place with the configured backoff (holding one of the webhook queue's workers), then
        // dead-lettered for listing and replay. In-process retries keep a delivery on the host that owns it.
        opts.Policies.OnException<WebhookDeliveryFailedException>().RetryWithCooldown([.. settings.Webhooks.RetryDelays]);
        opts.Policies.OnException<ExternalMessageRefusedException>().MoveToErrorQueue();
        opts.Policies.AddMiddleware(typeof(InternalMessageGuard), InternalMessageGuard.AppliesTo);
    }

    private static PublishingExpression IntegrationEvents(this PublishingExpression publishing) =>
        publishing.MessagesImplementing<IIntegrationEvent>();
}
