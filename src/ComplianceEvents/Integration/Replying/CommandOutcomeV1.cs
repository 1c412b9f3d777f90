using ComplianceEvents.Infrastructure;
using Wolverine.Attributes;

namespace ComplianceEvents.Integration.Replying;

/// <summary>
/// The answer to a queued command whose sender asked for one (docs/integration.md "Replies"): what the HTTP API would have
/// answered, as a versioned wire contract. Like the integration events, its wire name is the record name, so a sender declares
/// its own record under that name; a changed field means a V2 beside this one. <see cref="RequestId"/> is the command's
/// envelope id (the reply's Wolverine conversation id); <see cref="CommandId"/> the id the sender named, if any.
/// </summary>
[MessageIdentity(nameof(CommandOutcomeV1))]
public sealed record CommandOutcomeV1(string? CommandId, Guid RequestId, string? CorrelationId, string CommandType, string Outcome,
    bool Replayed, string? StreamKey, long? Version, string? ResourceId, IReadOnlyList<Guid> EventIds, IReadOnlyList<string> Flags,
    string? Rule, string? Message, IReadOnlyList<FieldErrorV1> Errors)
{
    /// <summary>The outcome names of the contract: the HTTP status families, not the .NET enum (which may grow).</summary>
    public static string NameOf(Outcome outcome) => outcome switch
    {
        Infrastructure.Outcome.Accepted => "accepted",
        Infrastructure.Outcome.Invalid or Infrastructure.Outcome.Rejected => "refused",
        Infrastructure.Outcome.Conflict => "conflict",
        Infrastructure.Outcome.Forbidden => "forbidden",
        Infrastructure.Outcome.NotFound => "not-found",
        Infrastructure.Outcome.Unauthenticated => "unauthenticated",
        _ => "unavailable",
    };

    public static CommandOutcomeV1 From(Wolverine.Envelope request, string? commandId, object command, CommandResult result) =>
        new(commandId, request.Id, request.CorrelationId, command.GetType().FullName!, NameOf(result.Outcome), result.Replayed,
            result.StreamKey, result.Version, result.ResourceId, result.EventIds, result.Flags, result.Rule, result.Message,
            result.Errors.Select(e => new FieldErrorV1(e.Field, e.Rule, e.Message)).ToList());
}

/// <summary>One refused field: its JSON path as sent (<c>citations[0].url</c>), the rule and a sentence for a person.</summary>
public sealed record FieldErrorV1(string Field, string Rule, string Message);
