using ComplianceEvents.Infrastructure;
using Wolverine;
using Wolverine.Runtime.Handlers;

namespace ComplianceEvents.Integration;

/// <summary>
/// Who acts on a command, given the envelope it came in. In-process entry points (HTTP after JWT
/// validation, the CLI, tests) put the actor in the ce-user/ce-roles headers; anything that arrived
/// through a transport wrote its own headers, so they are never believed: a message read from the
/// inbound queue acts as the identity configured for that queue, and one from any other external
/// endpoint has no actor at all (issue 9 item 3: "never from an unauthenticated header").
/// </summary>
public sealed class EnvelopeActors(IntegrationSettings settings)
{
    public Actor? ActorFor(Envelope? envelope)
    {
        if (!IsExternal(envelope)) return Actor.FromEnvelope(envelope);
        return settings.Inbound.Enabled && IsInboundQueue(envelope!.Destination!) ? settings.Inbound.Actor : null;
    }

    public bool IsFromInboundQueue(Envelope? envelope) =>
        IsExternal(envelope) && settings.Inbound.Enabled && IsInboundQueue(envelope!.Destination!);

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

    /// <summary>Domain commands are the app's handlers that answer a <see cref="CommandResult"/> outside the Integration module.</summary>
    public static bool AppliesTo(HandlerChain chain) =>
        chain.Handlers.Count > 0
        && chain.Handlers.All(h => h.HandlerType.Assembly == typeof(InternalMessageGuard).Assembly)
        && (chain.MessageType.Namespace?.StartsWith(typeof(InternalMessageGuard).Namespace!, StringComparison.Ordinal) == true
            || chain.Handlers.Any(h => h.Method.ReturnType != typeof(Task<CommandResult>)));
}
