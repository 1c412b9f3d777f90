using System.Security.Cryptography;
using System.Text.Json;
using FluentValidation;
using JasperFx;
using JasperFx.Events;
using Marten;
using Marten.Exceptions;
using Wolverine;
using Wolverine.Marten.Publishing;

namespace ComplianceEvents.Infrastructure;

/// <summary>What a decision function sees: the stream's current state, who asks, when, and a read session for other streams' state.</summary>
public sealed record DecisionContext<TAggregate>(TAggregate? State, Actor Actor, DateTimeOffset Now, IQuerySession Reader)
    where TAggregate : class;

/// <summary>The answer of a decision: events to append (and flags), or a rule violation.</summary>
public sealed record Decision(IReadOnlyList<object> Events, RuleViolation? Violation, IReadOnlyList<string> Flags, string? ResourceId)
{
    public static Decision Append(params object[] events) => new(events, null, [], null);
    public static Decision Append(IReadOnlyList<object> events, IReadOnlyList<string> flags, string? resourceId = null) => new(events,
        null, flags, resourceId);
    public static Decision Refuse(RuleViolation violation) => new([], violation, [], null);
    public static implicit operator Decision(RuleViolation violation) => Refuse(violation);
}

/// <summary>
/// An applied command id and its answer: a replay returns the answer and appends nothing. Keyed by sender and command id
/// (<see cref="IdFor"/>): a command id belongs to the user who sent it, so another user's identical id is another command.
/// </summary>
public sealed record CommandReceipt(string Id, string CommandType, string PayloadHash, CommandResult Result, DateTimeOffset RecordedAt)
{
    public static string IdFor(Actor sender, string commandId) => $"{UserIds.Key(sender.UserId)}|{commandId}";
}

/// <summary>
/// The one path every command takes, whatever its entry point (HTTP, CLI, queue): shape validation,
/// actor, idempotency by command id, optimistic concurrency, the module's pure decision, one
/// transaction with the events and the receipt. Rules are returned as <see cref="CommandResult"/>, never thrown.
/// </summary>
public sealed class CommandRunner(IDocumentStore store, OutboxedSessionFactory outbox, CommandValidators validators, TimeProvider clock,
    Integration.EnvelopeActors? actors = null, ILogger<CommandRunner>? logger = null)
{
    /// <summary>The headers every appended event carries: who, which command, which command id (audit trails read them).</summary>
    public const string UserHeader = "user-id", CommandHeader = "command", CommandIdHeader = "command-id";

    private const int RaceRetries = 3;
    private const string StreamVersionRule = "stream-version";

    public Task<CommandResult> Run<TCommand, TAggregate>(
        TCommand command, IMessageContext context, string streamKey, long? expectedVersion,
        Func<DecisionContext<TAggregate>, Decision> decide, CancellationToken ct)
        where TCommand : notnull where TAggregate : class =>
        Run<TCommand, TAggregate>(command, context, streamKey, expectedVersion, ctx => ValueTask.FromResult(decide(ctx)), ct);

    public Task<CommandResult> Run<TCommand, TAggregate>(
        TCommand command, IMessageContext context, string streamKey, long? expectedVersion,
        Func<DecisionContext<TAggregate>, ValueTask<Decision>> decide, CancellationToken ct)
        where TCommand : notnull where TAggregate : class =>
        Run<TCommand, TAggregate, object?>(command, context, streamKey, expectedVersion, null, (ctx, _) => decide(ctx), ct);

    /// <summary>
    /// As <see cref="Run{TCommand,TAggregate}(TCommand,IMessageContext,string,long?,Func{DecisionContext{TAggregate},ValueTask{Decision}},CancellationToken)"/>,
    /// with other documents the decision needs read in the same round trip as the stream: <paramref name="load"/> adds
    /// its reads to the batch that fetches the stream for writing and returns what the decision receives.
    /// </summary>
    public async Task<CommandResult> Run<TCommand, TAggregate, TLoaded>(
        TCommand command, IMessageContext context, string streamKey, long? expectedVersion,
        Func<Marten.Services.BatchQuerying.IBatchedQuery, Task<TLoaded>>? load,
        Func<DecisionContext<TAggregate>, TLoaded, ValueTask<Decision>> decide, CancellationToken ct)
        where TCommand : notnull where TAggregate : class
    {
        var result = await RunOnce(command, context, streamKey, expectedVersion, load, decide, ct);
        // A caller that named no expected version lost only a race, not an argument: decide again on the new
        // state (which may now refuse by rule, e.g. proposal-pending). With If-Match/ExpectedVersion the conflict stands.
        for (var attempt = 1; attempt < RaceRetries && expectedVersion is null && result.Rule == StreamVersionRule; attempt++)
            result = await RunOnce(command, context, streamKey, expectedVersion, load, decide, ct);
        // A queue sender has no HTTP answer to read: its refusals are logged for the operators (docs/integration.md).
        if (!result.IsAccepted && actors?.IsFromInboundQueue(context.Envelope) == true)
            logger?.LogWarning("Queued command {CommandType} {EnvelopeId} refused: {Outcome} {Rule}: {Detail}",
                typeof(TCommand).Name, context.Envelope?.Id, result.Outcome, result.Rule, result.Message
                    + string.Concat(result.Errors.Select(e => $" {e.Field}: {e.Rule} ({e.Message})")));
        return result;
    }

    private async Task<CommandResult> RunOnce<TCommand, TAggregate, TLoaded>(
        TCommand command, IMessageContext context, string streamKey, long? expectedVersionAsked,
        Func<Marten.Services.BatchQuerying.IBatchedQuery, Task<TLoaded>>? load,
        Func<DecisionContext<TAggregate>, TLoaded, ValueTask<Decision>> decide, CancellationToken ct)
        where TCommand : notnull where TAggregate : class
    {
        var envelope = context.Envelope;
        if (validators.Check(command, envelope) is { } invalid) return invalid;

        // Queued commands act as the queue's configured identity, never as their headers say (Integration/InboundQueue.cs).
        if ((actors is null ? Actor.FromEnvelope(envelope) : actors.ActorFor(envelope)) is not { } actor)
            return new CommandResult { Outcome = Outcome.Unauthenticated, Rule = "actor-required", Message = "Every command needs an " +
                "acting user." };

        string? commandId = null;
        envelope?.Headers.TryGetValue(Actor.CommandIdHeader, out commandId);
        var payloadHash = PayloadHash(command);
        var receiptId = commandId is null ? null : CommandReceipt.IdFor(actor, commandId);
        // A replay is answered only once the decision's own authorisation passes again (below), as for a fresh command.
        var earlier = commandId is null ? null : await FindReceipt(actor, commandId, typeof(TCommand).Name, payloadHash, ct);

        // Enlisted in Wolverine's outbox: integration messages published below commit with the events, or not at all.
        await using var session = outbox.OpenSession(context);
        session.CorrelationId = envelope?.CorrelationId;
        session.CausationId = envelope?.Id.ToString();
        session.LastModifiedBy = actor.UserId;
        session.SetHeader(UserHeader, actor.UserId);
        session.SetHeader(CommandHeader, typeof(TCommand).Name);
        if (commandId is not null) session.SetHeader(CommandIdHeader, commandId);

        try
        {
            IEventStream<TAggregate> stream;
            TLoaded loaded = default!;
            // A replay's stream has moved past the version its first run expected: only the authorisation is decided again.
            var expectedVersion = earlier is null ? expectedVersionAsked : null;
            if (load is null)
                stream = expectedVersion is { } expected
                    ? await session.Events.FetchForWriting<TAggregate>(streamKey, expected, ct)
                    : await session.Events.FetchForWriting<TAggregate>(streamKey, ct);
            else
            {
                var batch = session.CreateBatchQuery();
                var fetching = expectedVersion is { } expected
                    ? batch.Events.FetchForWriting<TAggregate>(streamKey, expected)
                    : batch.Events.FetchForWriting<TAggregate>(streamKey);
                var loading = load(batch);
                await batch.Execute(ct);
                stream = await fetching;
                loaded = await loading;
            }

            if (IsTornRead(stream))
                return await WinnerOr(RuleViolation.Conflict(StreamVersionRule, $"The stream '{streamKey}' changed while it was " +
                    $"read; reload and retry."), null);

            var decision = await decide(new DecisionContext<TAggregate>(stream.Aggregate, actor, clock.GetUtcNow(), session), loaded);
            if (earlier is not null) return Authorised(earlier, decision);
            if (decision.Violation is { } violation) return await WinnerOr(violation, decision);

            stream.AppendMany(decision.Events);
            var result = CommandResult.Accepted(streamKey, (stream.StartingVersion ?? 0) + decision.Events.Count,
                stream.Events.Select(e => e.Id).ToList(), decision.Flags) with { ResourceId = decision.ResourceId };
            if (commandId is not null)
                session.Insert(new CommandReceipt(receiptId!, typeof(TCommand).Name, payloadHash, result, clock.GetUtcNow()));
            await session.SaveChangesAsync(ct);
            return result;
        }
        catch (Exception e) when (IsConflict(e))
        {
            // A concurrent copy of the same command may have won: answer as it did (idempotency under concurrency).
            // The winner had the same sender (the receipt key says so) and passed the same decision.
            return await WinnerOr(RuleViolation.Conflict(StreamVersionRule,
                $"The stream '{streamKey}' changed concurrently{(expectedVersionAsked is { } v ? $" (expected version {v})" : "")}; " +
                    $"reload and retry."), null);
        }

        // A concurrent copy of this command (same sender, same id) that committed after the receipt was looked up above leaves
        // this copy a state that refuses it (evidence-exists, proposal-pending) or a lost race: the copy answers as the
        // winner did, once its own authorisation passes, and appends nothing (idempotency under concurrency).
        async Task<CommandResult> WinnerOr(RuleViolation refusal, Decision? decision) =>
            commandId is not null && await FindReceipt(actor, commandId, typeof(TCommand).Name, payloadHash, ct) is { } winner
                ? decision is null ? winner : Authorised(winner, decision)
                : CommandResult.Refused(refusal);
    }

    /// <summary>
    /// The sender's earlier answer to this command id. A receipt stored before receipts were keyed by sender is keyed by the
    /// bare command id (read in the same round trip): it is the sender's own when the events it appended carry the sender's
    /// user id, another user's command otherwise (so this one is new to this sender), and when its events do not name a
    /// sender the id cannot be used again (409 command-id-reused): neither a duplicate nor another user's replay.
    /// </summary>
    private async Task<CommandResult?> FindReceipt(Actor sender, string commandId, string commandType, string payloadHash,
        CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var receiptId = CommandReceipt.IdFor(sender, commandId);
        var found = await query.LoadManyAsync<CommandReceipt>(ct, receiptId, commandId);
        if (found.FirstOrDefault(r => r.Id == receiptId) is { } receipt) return Replay(receipt, commandId, commandType, payloadHash);
        if (found.FirstOrDefault(r => r.Id == commandId) is not { } legacy) return null;
        var firstEvent = legacy.Result.EventIds.Count == 0 ? null : await query.Events.LoadAsync(legacy.Result.EventIds[0], ct);
        var owner = firstEvent?.GetHeader(UserHeader)?.ToString();
        if (owner is null)
            return CommandResult.Refused(RuleViolation.Conflict("command-id-reused", $"Command id '{commandId}' was used before " +
                "command ids were kept per sender, and its sender is not known; send the command with a new id.", "commandId"));
        return UserIds.Same(owner, sender.UserId) ? Replay(legacy, commandId, commandType, payloadHash) : null;
    }

    /// <summary>The answer to a command id seen before: the first answer, or a conflict when the id was used for another command.</summary>
    public static CommandResult Replay(CommandReceipt receipt, string commandId, string commandType, string payloadHash) =>
        receipt.CommandType != commandType || receipt.PayloadHash != payloadHash
            ? CommandResult.Refused(RuleViolation.Conflict("command-id-reused",
                $"Command id '{commandId}' was already used for a different command ({receipt.CommandType}).", "commandId"))
            : receipt.Result with { Replayed = true };

    /// <summary>
    /// A replay is authorised like a fresh command: the decision, run again on the current state with the actor asking now,
    /// must not refuse on who asks (its role and separation-of-duties checks precede its state checks). Any other answer of
    /// that decision (e.g. "already approved") is the state the first command made, so the first answer stands.
    /// </summary>
    public static CommandResult Authorised(CommandResult earlier, Decision decision) =>
        decision.Violation is { Outcome: Outcome.Forbidden or Outcome.Unauthenticated } refused ? CommandResult.Refused(refused) : earlier;

    public static CommandResult Invalid(FluentValidation.Results.ValidationResult validation) =>
        CommandResult.Invalid(validation.Errors.Select(e => new FieldError(FieldPath(e.PropertyName), RuleName(e.ErrorCode),
            e.ErrorMessage)).ToList());

    /// <summary>
    /// FetchForWriting reads the stream's version and its snapshot in two statements: a commit between them gives a
    /// snapshot of a stream that "does not exist yet". Appending on that would start the stream again from a half-built
    /// aggregate; it is a lost race, decided again (seen under ten concurrent copies of one command).
    /// </summary>
    public static bool IsTornRead<TAggregate>(IEventStream<TAggregate> stream) where TAggregate : class =>
        stream.Aggregate is not null && (stream.StartingVersion ?? 0) == 0;

    public static bool IsConflict(Exception e) =>
        e is ConcurrencyException or DocumentAlreadyExistsException or Marten.Exceptions.ExistingStreamIdCollisionException
            or JasperFx.Events.ExistingStreamIdCollisionException
            or ConcurrentUpdateException
        || (e.InnerException is { } inner && IsConflict(inner))
        || (e is Npgsql.PostgresException { SqlState: "23505" });

    /// <summary>"Members[0].Code" -> "members[0].code": the JSON names clients send.</summary>
    public static string FieldPath(string propertyPath) =>
        string.Join('.', propertyPath.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));

    /// <summary>FluentValidation's "NotEmptyValidator" -> "NotEmpty"; custom codes pass unchanged.</summary>
    public static string RuleName(string errorCode) =>
        errorCode.EndsWith("Validator", StringComparison.Ordinal) ? errorCode[..^"Validator".Length] : errorCode;

    /// <summary>What a receipt remembers of the command, to tell a repeat from a different command under the same id.</summary>
    public static string PayloadHash(object command) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(command, command.GetType())));
}
