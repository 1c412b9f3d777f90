using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wolverine;
using Wolverine.Attributes;
using Wolverine.Postgresql;

namespace ComplianceEvents.IntegrationTests.Integration.Replying;

/// <summary>
/// Another service, as docs/integration.md tells an integrator to build it: a Wolverine host of its own (its own schema) on
/// the same database, that knows the wire names and none of this product's types. Besides a queue of events, it listens to a
/// reply queue of its own (UseForReplies), which Wolverine names as the ReplyUri of what it sends. One per integration host,
/// stopped with it.
/// </summary>
public sealed class SenderService
{
    private static readonly ConditionalWeakTable<IntegrationHost, SenderService> Senders = new();

    public static SenderService For(AppFixture app, IntegrationHost host) => Senders.GetValue(host, h => new SenderService(app, h));

    public IHost Host { get; }
    public string ReplyQueue { get; }
    public OutcomeInbox Inbox => Host.Services.GetRequiredService<OutcomeInbox>();
    private readonly Uri _commands;

    private SenderService(AppFixture app, IntegrationHost target)
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        ReplyQueue = "replies-" + suffix;
        _commands = new Uri($"postgresql://{ComplianceEvents.Integration.EnvelopeActors.QueueName(target.InboundQueue)}");
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<OutcomeInbox>();
        builder.Services.AddWolverine(opts =>
        {
            opts.UseRuntimeCompilation();
            opts.ApplicationAssembly = typeof(SenderService).Assembly;
            opts.Discovery.DisableConventionalDiscovery().IncludeType(typeof(OutcomeHandler));
            opts.Durability.Mode = DurabilityMode.Solo;
            opts.UsePostgresqlPersistenceAndTransport(target.ConnectionString, "sender_" + suffix).AutoProvision();
            opts.UseSystemTextJsonForSerialization(o =>
            {
                o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
                o.PropertyNameCaseInsensitive = true;
                o.Converters.Add(new JsonStringEnumConverter());
            });
            // Listened to first, like a queue of integration events the service consumes: the reply queue is named for replies.
            opts.ListenToPostgresqlQueue("events-" + suffix);
            opts.ListenToPostgresqlQueue(ReplyQueue).PollingInterval(TimeSpan.FromMilliseconds(100)).UseForReplies();
        });
        Host = builder.Build();
        Host.StartAsync().GetAwaiter().GetResult();
        app.Factory.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() =>
        {
            Host.StopAsync().GetAwaiter().GetResult();
            Host.Dispose();
        });
    }

    private IMessageBus Bus => Host.Services.CreateScope().ServiceProvider.GetRequiredService<IMessageBus>();

    /// <summary>Request/reply: waits for the outcome (Wolverine matches it by conversation id).</summary>
    public Task<CommandOutcome> Invoke(object command, string? commandId = null) =>
        Bus.EndpointFor(_commands).InvokeAsync<CommandOutcome>(command, Options(commandId), timeout: TimeSpan.FromSeconds(30));

    /// <summary>Fire and forget, the outcome to the reply queue's handler (<see cref="OutcomeInbox"/>); no reply without asking.</summary>
    public ValueTask Send(object command, string? commandId = null, bool replyWanted = true) =>
        Bus.EndpointFor(_commands).SendAsync(command, replyWanted ? DeliveryOptions.RequireResponse<CommandOutcome>().With(commandId)
            : Options(commandId));

    private static DeliveryOptions Options(string? commandId) => new DeliveryOptions().With(commandId);
}

internal static class DeliveryOptionsExtensions
{
    public static DeliveryOptions With(this DeliveryOptions options, string? commandId) =>
        commandId is null ? options : options.WithHeader("command-id", commandId);
}

/// <summary>What the sender's reply-queue handler received, in arrival order.</summary>
public sealed class OutcomeInbox
{
    public ConcurrentQueue<(CommandOutcome Outcome, Envelope Envelope)> Received { get; } = new();
}

public static class OutcomeHandler
{
    public static void Handle(CommandOutcome outcome, Envelope envelope, OutcomeInbox inbox) => inbox.Received.Enqueue((outcome, envelope));
}

// The sender's own records, declared under the wire names (docs/integration.md); only the fields it reads or sends.
[MessageIdentity("CommandOutcomeV1")]
public sealed record CommandOutcome(string? CommandId, Guid RequestId, string CommandType, string Outcome, bool Replayed, string? StreamKey,
    long? Version, string? ResourceId, IReadOnlyList<Guid> EventIds, string? Rule, string? Message, IReadOnlyList<FieldProblem> Errors);

public sealed record FieldProblem(string Field, string Rule, string Message);

[MessageIdentity("ComplianceEvents.Assessments.RecordingEvidence.RecordEvidence")]
public sealed record RecordEvidenceCommand(string CycleId, string CommitmentId, string MemberCode, DateOnly ActionDate, string Summary,
    IReadOnlyList<CitationWire> Citations, IReadOnlyList<string>? Dimensions = null, string? Strength = null, string? EvidenceId = null);

public sealed record CitationWire(string Title, string Publisher, string? Place, string? Published, DateOnly? Accessed, string Url);

/// <summary>A sender's bug: RecordEvidence with a date the product cannot read, so the body never becomes the command.</summary>
[MessageIdentity("ComplianceEvents.Assessments.RecordingEvidence.RecordEvidence")]
public sealed record UnreadableEvidenceCommand(string CycleId, string CommitmentId, string MemberCode, string ActionDate);
