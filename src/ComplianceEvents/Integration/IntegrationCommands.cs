using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Integration;

/// <summary>
/// The Integration module's own commands (webhook subscriptions, dead-letter replay). They change configuration, not a
/// stream, so they have no slice, but they pass the pipeline's admission (<see cref="CommandRunner.Admit"/>: shape, then who
/// asks) before the director check. Operating integrations is a compliance director's job. HTTP only: a queue never sends them.
/// </summary>
public sealed class IntegrationCommands(CommandRunner runner)
{
    public async Task<CommandResult> Run<TCommand>(TCommand command, CommandContext context, string action,
        Func<Actor, Task<CommandResult>> execute) where TCommand : notnull =>
        runner.Admit(command, context) ?? Refusal(context.Actor, action) ?? await execute(context.Actor!);

    /// <summary>Null when the actor may operate integrations; otherwise the 401/403 answer.</summary>
    public static CommandResult? Refusal(Actor? actor, string action) => actor switch
    {
        null => new CommandResult { Outcome = Outcome.Unauthenticated, Rule = "actor-required", Message = "Every command needs an acting user." },
        _ when actor.RequireDirector(action) is { } forbidden => CommandResult.Refused(forbidden),
        _ => null,
    };

    public static CommandResult Done(string resourceId) => new() { Outcome = Outcome.Accepted, ResourceId = resourceId };
}
