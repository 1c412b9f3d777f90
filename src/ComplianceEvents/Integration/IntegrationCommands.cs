using ComplianceEvents.Infrastructure;
using Wolverine;

namespace ComplianceEvents.Integration;

/// <summary>
/// The path of the Integration module's own commands (webhook subscriptions, dead-letter replay). They
/// change configuration documents, not a stream, so they skip CommandRunner but keep its order: shape
/// first, then who asks. Operating integrations is a compliance director's job.
/// </summary>
public sealed class IntegrationCommands(EnvelopeActors actors, CommandValidators validators)
{
    public async Task<CommandResult> Run<TCommand>(TCommand command, IMessageContext context, string action,
        Func<Actor, Task<CommandResult>> execute, CancellationToken ct) where TCommand : notnull
    {
        if (validators.Check(command, context.Envelope) is { } invalid) return invalid;
        var actor = actors.ActorFor(context.Envelope);
        return Refusal(actor, action) ?? await execute(actor!);
    }

    /// <summary>Null when the actor may operate integrations; otherwise the 401/403 answer.</summary>
    public static CommandResult? Refusal(Actor? actor, string action) => actor switch
    {
        null => new CommandResult { Outcome = Outcome.Unauthenticated, Rule = "actor-required", Message = "Every command needs an acting user." },
        _ when actor.RequireDirector(action) is { } forbidden => CommandResult.Refused(forbidden),
        _ => null,
    };

    public static CommandResult Done(string resourceId) => new() { Outcome = Outcome.Accepted, ResourceId = resourceId };
}
