using ComplianceEvents.Infrastructure;
using ComplianceEvents.Integration.BoundingQueues;
using ComplianceEvents.Integration.DeliveringWebhooks;
using ComplianceEvents.Integration.PublishingEvents;
using ComplianceEvents.Integration.Replying;
using Marten;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Postgresql;
using Wolverine.Marten;
using Wolverine.Postgresql.Transport;

namespace ComplianceEvents.Integration;

/// <summary>Composition of the integration module: queues, outbound routing, webhooks (docs/integration.md).</summary>
public static class IntegrationSetup
{
    /// <summary>The local durable queue of webhook POSTs still to make.</summary>
    public const string WebhooksQueue = "webhooks";

    public static WebApplicationBuilder AddIntegration(this WebApplicationBuilder builder)
    {
        var settings = IntegrationSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<EnvelopeActors>();
        builder.Services.AddSingleton<IEnvelopeSenders>(sp => sp.GetRequiredService<EnvelopeActors>());
        builder.Services.AddSingleton<IntegrationCommands>();
        builder.Services.AddSingleton<CommandReplies>();
        builder.Services.AddSingleton<IEnvelopeReplies>(sp => sp.GetRequiredService<CommandReplies>());
        builder.Services.AddHttpClient(DeliverWebhookHandler.HttpClientName, c => c.Timeout = settings.Webhooks.Timeout);
        builder.Services.ConfigureMarten(o =>
        {
            o.Schema.For<WebhookSubscription>();
            // Delivery lag (docs/integration.md "Outbound"): the daemon looks for new events every 100 ms while they come,
            // every 250 ms when idle (Marten's defaults are 250 ms and 1 s); a failing page is retried, never skipped (Persistence).
            o.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
            o.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
            // The HotCold leadership lock is held in a transaction: the DistributedLock.Postgres this build resolves refuses its
            // default (a multiplexed connection) on Marten's data source, and the daemon would never start.
            o.Events.UseAdvisoryLockTransaction = true;
        });
        // The log is published by the server's daemon (Persistence: AddAsyncDaemon, HotCold), never by a CLI process; both
        // store where publishing starts before they can append (before the daemon and every other start-up step).
        if (!CliHost.IsCommand(Environment.GetCommandLineArgs()[1..]))
        {
            builder.Services.SubscribeToEvents(new IntegrationPublisher(settings));
            // Retention is a server's chore, like publishing: a CLI process is gone before its first tick.
            builder.Services.AddSingleton<RetentionSweep>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<RetentionSweep>());
            builder.Services.AddSingleton<IStatusCheck, QueueBacklog>();
        }
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, PublisherStart>());
        return builder;
    }

    public static void ConfigureMessaging(WolverineOptions opts, IConfiguration configuration)
    {
        var settings = IntegrationSettings.From(configuration);
        opts.UseSystemTextJsonForSerialization(o => WireJson.Configure(o));
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
        // Declared, not listened to: its table is part of the schema `migrate` applies (a server as the runtime role may not
        // create it).
        else if (settings.Inbound.Enabled) _ = opts.Transports.GetOrCreate<PostgresqlTransport>().Queues[EnvelopeActors.QueueName(
            settings.Inbound.Queue)];
        // A message type nobody handles is kept for inspection rather than logged and lost.
        opts.UnknownMessageBehavior = UnknownMessageBehavior.DeadLetterQueue;

        // Integration events: to every outbound queue, from the event log (IntegrationPublisher), in the transaction that
        // moves the subscription's position, so they are stored with it or not at all.
        // Publish(lambda), not Publish().X(): the parameterless form never attaches its rules to the routing.
        // Each message keeps its queue's retention as keep_until: a consumer discards it once past (Wolverine drops expired
        // envelopes on receipt) and RetentionSweep deletes it from a queue nobody consumes.
        foreach (var queue in settings.OutboundQueues)
            opts.Publish(p => p.MessagesImplementing<IntegrationEvent>().ToPostgresqlQueue(queue)
                .DeliverWithin(settings.Retention.For(queue)));
        opts.PublishMessage<DeliverWebhook>().ToLocalQueue(WebhooksQueue);
        opts.LocalQueue(WebhooksQueue).UseDurableInbox().MaximumParallelMessages(settings.Webhooks.Parallelism);

        // Retried in place with the configured backoff (holding one of the webhook queue's workers), then
        // dead-lettered for listing and replay. In-process retries keep a delivery on the host that owns it.
        opts.Policies.OnException<WebhookDeliveryFailedException>().RetryWithCooldown([.. settings.Webhooks.RetryDelays]);
        opts.Policies.OnException<ExternalMessageRefusedException>().MoveToErrorQueue();
        opts.Policies.AddMiddleware(typeof(InternalMessageGuard), InternalMessageGuard.AppliesTo);
        // A sender that asked for the outcome (request/reply) gets it once the handler returns (docs/integration.md "Replies").
        opts.Policies.AddMiddleware(typeof(ReplyToSender), ReplyToSender.AppliesTo);
        // Dead letters are stamped with their expiry when written (the "expires" column); RetentionSweep removes them after.
        opts.Durability.DeadLetterQueueExpirationEnabled = true;
        opts.Durability.DeadLetterQueueExpiration = settings.Retention.DeadLetters;
    }
}
