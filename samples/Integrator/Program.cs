using System.Collections.Concurrent;
using System.Text.Json;
using Integrator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Wolverine;
using Wolverine.Postgresql;

// A minimal integrator (docs/integration.md "The sample integrator"): sends RecordEvidence commands through the inbound
// queue, each asking for its outcome, and consumes the integration events of its outbound queue, printing one line per
// message received:
//   reply <command id> <outcome> <replayed> <stream version>
//   event <contract> <sequence> <evidence id>
// It exits 0 once every command it sent has its reply and its event, 1 when the time is up first (naming what is missing).
// Settings (environment Integrator__*, or --Integrator:Key=value): Connection, CommandsQueue, EventsQueue, RepliesQueue, Cycle,
// Commitment, Member, Count, Prefix, Window (at most this many commands sent and not yet answered by their event),
// TimeoutSeconds.
var builder = Host.CreateApplicationBuilder(args);
var settings = builder.Configuration.GetSection("Integrator");
var connection = settings["Connection"] ?? throw new ArgumentException("Integrator:Connection is required");
var count = int.Parse(settings["Count"] ?? "10");
var prefix = settings["Prefix"] ?? "sample";
var window = int.Parse(settings["Window"] ?? "10");
var received = new Received();
builder.Services.AddSingleton(received);
builder.Services.AddWolverine(opts =>
{
    // Its own schema for its own envelopes; the queue tables are in the shared wolverine_queues schema.
    opts.UsePostgresqlPersistenceAndTransport(connection, "integrator").AutoProvision();
    // The product's wire format: camelCase properties, enums as their names.
    opts.UseSystemTextJsonForSerialization(o =>
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.PropertyNameCaseInsensitive = true;
    });
    opts.PublishMessage<RecordEvidence>().ToPostgresqlQueue(settings["CommandsQueue"] ?? "compliance-commands");
    // One message at a time, in the queue's order (docs/integration.md "Order").
    opts.ListenToPostgresqlQueue(settings["EventsQueue"] ?? "compliance-events").Sequential();
    // Its own queue for the outcomes of its commands: Wolverine names it as the reply address of what it sends.
    opts.ListenToPostgresqlQueue(settings["RepliesQueue"] ?? "integrator-replies").UseForReplies();
});
using var host = builder.Build();
await host.StartAsync();

var bus = host.Services.GetRequiredService<IMessageBus>();
var expected = new List<string>();
var deadline = DateTime.UtcNow.AddSeconds(int.Parse(settings["TimeoutSeconds"] ?? "120"));
for (var i = 1; i <= count; i++)
{
    var evidenceId = $"{prefix}-{i}";
    // Back-pressure: no more than the window outstanding, so a host that is down holds the sender back.
    while (expected.Count(id => !received.Events.ContainsKey(id)) >= window && DateTime.UtcNow < deadline) await Task.Delay(50);
    expected.Add(evidenceId);
    var command = new RecordEvidence(settings["Cycle"]!, settings["Commitment"]!, settings["Member"]!, new DateOnly(2024, 9, 1),
        $"Item {i} of the sample integrator.", [new Citation("A statement", "A ministry", null, "2024-09-01", null,
            "https://example.org/statement", null)], null, null, evidenceId, null);
    // The command id makes a resend (after a crash of this service, say) take effect once; the outcome comes to the replies
    // queue (CommandOutcomeHandler below), correlated by that id.
    await bus.PublishAsync(command, DeliveryOptions.RequireResponse<CommandOutcomeV1>().WithHeader("command-id", evidenceId));
    Console.WriteLine($"sent {evidenceId}");
}

bool Done(string id) => received.Events.ContainsKey(id) && received.Replies.ContainsKey(id);
while (expected.Any(id => !Done(id)) && DateTime.UtcNow < deadline) await Task.Delay(100);
var missing = expected.Where(id => !Done(id)).ToList();
await host.StopAsync();
if (missing.Count == 0) return 0;
Console.Error.WriteLine($"missing replies or events for {missing.Count} of {count} commands: {string.Join(", ", missing.Take(10))}");
return 1;

namespace Integrator
{
    /// <summary>What arrived, by evidence id (which is also the command id); a repeat is printed too: the test counts lines.</summary>
    public sealed class Received
    {
        public ConcurrentDictionary<string, long> Events { get; } = new();
        public ConcurrentDictionary<string, CommandOutcomeV1> Replies { get; } = new();
    }

    public static class CommandOutcomeHandler
    {
        // A command redelivered after a crash of the host is answered again from its receipt: Replayed, same version.
        public static void Handle(CommandOutcomeV1 outcome, Received received)
        {
            Console.WriteLine($"reply {outcome.CommandId} {outcome.Outcome} {outcome.Replayed} {outcome.Version}");
            if (outcome.CommandId is { } id) received.Replies[id] = outcome;
        }
    }

    public static class EvidenceRecordedHandler
    {
        public static void Handle(EvidenceRecordedV1 e, Received received)
        {
            Console.WriteLine($"event EvidenceRecordedV1 {e.Sequence} {e.EvidenceId}");
            received.Events[e.EvidenceId] = e.Sequence;
        }
    }
}
