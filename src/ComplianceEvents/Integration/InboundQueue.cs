using ComplianceEvents.Infrastructure;
using Wolverine;
using Wolverine.Runtime.Handlers;

namespace ComplianceEvents.Integration;

/// <summary>
/// Who acts on a command that arrived as a Wolverine message. Its headers were written by whoever sent it, so they are never
/// believed: a message read from the inbound queue acts as the identity configured for that queue, and any other has no
/// actor at all (issue 9 item 3: "never from an unauthenticated header"). In-process entry points (HTTP, CLI, imports) do not
/// use messages: they pass their actor to the pipeline as a value.
/// </summary>
public sealed class EnvelopeActors(IntegrationSettings settings) : IEnvelopeSenders
{
    /// <summary>The command id a queue sender names, in the header events carry it in; the old name is still read.</summary>
    public const string LegacyCommandIdHeader = "ce-command-id";

    public CommandContext ContextOf(Envelope envelope)
    {
        var external = IsExternal(envelope);
        var actor = external && settings.Inbound.Enabled && IsInboundQueue(envelope.Destination!) ? settings.Inbound.Actor : null;
        var commandId = envelope.Headers.GetValueOrDefault(EventHeaders.CommandId)
            ?? envelope.Headers.GetValueOrDefault(LegacyCommandIdHeader);
        return new CommandContext(actor, null, envelope.CorrelationId, envelope.Id.ToString())
            { Wire = external ? envelope.Data : null, Unattended = external }.With(commandId);
    }

    /// <summary>
    /// The receiving listener stamps Destination with its own address (Envelope.MarkReceived), and
    /// recovery or dead-letter replay restores it from the inbox row, so a sender cannot choose it.
    /// InvokeAsync leaves it null; local queues use the "local" scheme.
    /// </summary>
    public static bool IsExternal(Envelope? envelope) =>
        envelope?.Destination is { } destination && destination.Scheme != "local";

    // Wolverine names the queue table and URI after the sanitized name: "compliance-commands" -> postgresql://compliance_commands.
    private bool IsInboundQueue(Uri destination) =>
        destination.Scheme == "postgresql" && string.Equals(destination.Host, QueueName(settings.Inbound.Queue), StringComparison.OrdinalIgnoreCase);

    public static string QueueName(string configured) => configured.Replace('-', '_').ToLowerInvariant();
}

/// <summary>A message that only this host may send to itself arrived from outside; it goes to the dead letters.</summary>
public sealed class ExternalMessageRefusedException(string messageType, Uri? from)
    : Exception($"{messageType} is internal to ComplianceEvents and was refused from {from}; only commands are accepted from queues.");

/// <summary>
/// Wolverine middleware on every handler of this application that is not a domain command: integration
/// events, webhook deliveries, stale-approval notices and the Integration module's own commands are
/// sent by this host to itself, never accepted from a queue (a forged DeliverWebhook would make the
/// host POST anywhere).
/// </summary>
public static class InternalMessageGuard
{
    public static void Before(Envelope envelope)
    {
        if (EnvelopeActors.IsExternal(envelope))
            throw new ExternalMessageRefusedException(envelope.MessageType ?? envelope.Message?.GetType().Name ?? "message", envelope.Destination);
    }

    private static readonly CommandSlices DomainCommands = CommandSlices.FromAssembly(typeof(InternalMessageGuard).Assembly);

    /// <summary>Every handler of this application except those of the domain commands (the ones with a slice).</summary>
    public static bool AppliesTo(HandlerChain chain) =>
        chain.Handlers.Count > 0
        && chain.Handlers.All(h => h.HandlerType.Assembly == typeof(InternalMessageGuard).Assembly)
        && !DomainCommands.Contains(chain.MessageType);
}
