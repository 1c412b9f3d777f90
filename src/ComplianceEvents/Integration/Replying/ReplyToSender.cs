using System.Runtime.CompilerServices;
using ComplianceEvents.Infrastructure;
using Wolverine;
using Wolverine.Runtime;
using Wolverine.Runtime.Handlers;

namespace ComplianceEvents.Integration.Replying;

/// <summary>
/// Holds the answer of each queued command until its handler returns (<see cref="ReplyToSender"/> takes it). The slices'
/// message handlers return a bare Task, never the answer: a returned value would be a Wolverine cascading message, published
/// to nobody ("No routes can be determined ... (CommandResult)") whenever the sender did not ask for a reply.
/// </summary>
public sealed class CommandReplies : IEnvelopeReplies
{
    private readonly ConditionalWeakTable<Envelope, CommandOutcomeV1> _answers = new();

    public void Answered(Envelope envelope, object command, CommandContext context, CommandResult result)
    {
        if (WantsReply(envelope)) _answers.AddOrUpdate(envelope, CommandOutcomeV1.From(envelope, context.CommandId, command, result));
    }

    public CommandOutcomeV1? Take(Envelope envelope) => _answers.TryGetValue(envelope, out var outcome) && _answers.Remove(envelope)
        ? outcome : null;

    /// <summary>
    /// Wolverine's request/reply: InvokeAsync&lt;CommandOutcomeV1&gt;, or SendAsync with DeliveryOptions.RequireResponse, names
    /// the type and sets ReplyUri to the sender's reply listener. ReplyUri alone is no request: Wolverine's receiver fills a
    /// missing one with the receiving queue's own address, and a sender's router with its first listener (maybe a queue of
    /// integration events), so answering every ReplyUri would write outcomes into queues nobody reads them from.
    /// </summary>
    public static bool WantsReply(Envelope envelope) =>
        envelope.ReplyUri is not null && envelope.ReplyRequested == nameof(CommandOutcomeV1) && envelope.ReplyUri != envelope.Destination;
}

/// <summary>
/// Wolverine middleware on the domain commands' message handlers: once the handler has returned, the outcome goes back to a
/// sender that asked for it, as the handler's response (IsResponse, conversation id = the command's envelope id, correlation id
/// carried over), so a waiting InvokeAsync completes and a reply listener's handler receives it. It leaves through the
/// handler's message context, which stores it in the durable outbox before the command's envelope is marked handled; the
/// command's own events were committed by the pipeline just before, in the pipeline's transaction (one for every entry
/// point), so a crash in between redelivers the command: with a command id its receipt answers again, appending nothing.
/// </summary>
public static class ReplyToSender
{
    public static async Task After(Envelope envelope, IMessageContext context, CommandReplies replies)
    {
        if (replies.Take(envelope) is { } outcome && context is MessageContext wolverine)
            await wolverine.EnqueueCascadingAsync(outcome);
    }

    private static readonly CommandSlices DomainCommands = CommandSlices.FromAssembly(typeof(ReplyToSender).Assembly);

    public static bool AppliesTo(HandlerChain chain) => DomainCommands.Contains(chain.MessageType);
}
