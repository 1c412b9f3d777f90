using System.Text.Json;
using ComplianceEvents.Infrastructure;
using Wolverine;
using Wolverine.Http;
using Wolverine.Persistence.Durability.DeadLetterManagement;
using Wolverine.Runtime;

namespace ComplianceEvents.Integration.ReplayingDeadLetters;

/// <summary>
/// Sends a dead letter back to the endpoint that received it, once its cause is fixed. With
/// <see cref="Message"/>, its body is replaced first (the fix for a poison message); headers stay.
/// Wolverine's durability agent moves it back within one recovery polling interval.
/// </summary>
public sealed record ReplayDeadLetter(Guid Id, JsonElement? Message = null);

/// <summary>Deletes a dead letter for good.</summary>
public sealed record DiscardDeadLetter(Guid Id);

public static class ReplayDeadLetterHandler
{
    public static Task<CommandResult> Run(ReplayDeadLetter cmd, CommandContext context, IntegrationCommands commands,
        IWolverineRuntime runtime,
        CancellationToken ct) =>
        commands.Run(cmd, context, "replay dead letters", async _ =>
        {
            var deadLetters = runtime.Storage.DeadLetters;
            if (await deadLetters.DeadLetterEnvelopeByIdAsync(cmd.Id, null) is null) return NotFound(cmd.Id);
            if (cmd.Message is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } fixedBody)
                await deadLetters.EditAndReplayAsync(cmd.Id, JsonSerializer.SerializeToUtf8Bytes(fixedBody), ct);
            else
                await deadLetters.ReplayAsync(new DeadLetterEnvelopeQuery([cmd.Id]), ct);
            return IntegrationCommands.Done(cmd.Id.ToString());
        });

    public static Task<CommandResult> Run(DiscardDeadLetter cmd, CommandContext context, IntegrationCommands commands,
        IWolverineRuntime runtime,
        CancellationToken ct) =>
        commands.Run(cmd, context, "discard dead letters", async _ =>
        {
            var deadLetters = runtime.Storage.DeadLetters;
            if (await deadLetters.DeadLetterEnvelopeByIdAsync(cmd.Id, null) is null) return NotFound(cmd.Id);
            await deadLetters.DiscardAsync(new DeadLetterEnvelopeQuery([cmd.Id]), ct);
            return IntegrationCommands.Done(cmd.Id.ToString());
        });

    private static CommandResult NotFound(Guid id) =>
        CommandResult.Refused(RuleViolation.NotFound("dead-letter-not-found", $"Dead letter '{id}' does not exist (replayed or discarded?)."));
}

public static class ReplayDeadLetterEndpoint
{
    /// <summary>Body optional: <c>{ "message": { ...corrected message... } }</c>.</summary>
    [WolverinePost("/integration/dead-letters/{id}/replay", OperationId = "ReplayDeadLetter"), Tags("Integration")]
    public static Task<IResult> Post(Guid id, ReplayDeadLetter? command, HttpContext http, IntegrationCommands commands,
        IWolverineRuntime runtime) =>
        http.Send(context => ReplayDeadLetterHandler.Run(new ReplayDeadLetter(id, command?.Message), context, commands, runtime,
            http.RequestAborted));

    [WolverineDelete("/integration/dead-letters/{id}", OperationId = "DiscardDeadLetter"), Tags("Integration")]
    public static Task<IResult> Delete(Guid id, HttpContext http, IntegrationCommands commands, IWolverineRuntime runtime) =>
        http.Send(context => ReplayDeadLetterHandler.Run(new DiscardDeadLetter(id), context, commands, runtime, http.RequestAborted));
}
