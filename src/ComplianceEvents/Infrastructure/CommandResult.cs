using System.Text.Json.Serialization;

namespace ComplianceEvents.Infrastructure;

public enum Outcome
{
    Accepted,
    Invalid,      // bad shape: 400, one entry per field
    Rejected,     // a rule that needs state refused it: 400/422 with the rule named
    Forbidden,    // 403
    NotFound,     // 404
    Conflict,     // 409: expected version mismatch, existing stream, a rule conflict
    Unauthenticated, // 401: no actor on the command
    Unavailable,  // 503: the database cannot answer in time (Retry-After); nothing was appended
}

public sealed record FieldError(string Field, string Rule, string Message);

/// <summary>The typed answer of every command, whatever the entry point. Stored as the idempotency receipt.</summary>
public sealed record CommandResult
{
    public required Outcome Outcome { get; init; }
    public string? StreamKey { get; init; }
    public long? Version { get; init; }
    public IReadOnlyList<Guid> EventIds { get; init; } = [];
    /// <summary>The id of what the command created, when it is not the stream itself (an evidence or proposal id).</summary>
    public string? ResourceId { get; init; }
    public string? Rule { get; init; }
    public string? Message { get; init; }
    public IReadOnlyList<FieldError> Errors { get; init; } = [];
    /// <summary>True when this answer was replayed from an earlier command with the same command id.</summary>
    public bool Replayed { get; init; }
    /// <summary>Flags raised while accepting (e.g. evidence outside the window); never a refusal.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    [JsonIgnore]
    public bool IsAccepted => Outcome == Outcome.Accepted;

    public static CommandResult Accepted(string streamKey, long version, IReadOnlyList<Guid> eventIds,
        IReadOnlyList<string>? flags = null) =>
        new() { Outcome = Outcome.Accepted, StreamKey = streamKey, Version = version, EventIds = eventIds, Flags = flags ?? [] };

    public static CommandResult Invalid(IReadOnlyList<FieldError> errors) =>
        new() { Outcome = Outcome.Invalid, Rule = "validation", Message = "The command is not valid.", Errors = errors };

    public static CommandResult Refused(RuleViolation v) =>
        new() { Outcome = v.Outcome, Rule = v.Rule, Message = v.Message, Errors = v.Field is null ? [] : [new FieldError(v.Field, v.Rule,
            v.Message)] };
}

/// <summary>A rule that needs state, refused (CONVENTIONS "Errors"): never thrown, always returned.</summary>
public sealed record RuleViolation(Outcome Outcome, string Rule, string Message, string? Field = null)
{
    public static RuleViolation NotFound(string rule, string message, string? field = null) => new(Outcome.NotFound, rule, message, field);
    public static RuleViolation Conflict(string rule, string message, string? field = null) => new(Outcome.Conflict, rule, message, field);
    public static RuleViolation Forbidden(string rule, string message, string? field = null) => new(Outcome.Forbidden, rule, message,
        field);
    public static RuleViolation Rejected(string rule, string message, string? field = null) => new(Outcome.Rejected, rule, message, field);
    public static RuleViolation Unavailable(string rule, string message) => new(Outcome.Unavailable, rule, message);
}
