using System.Security.Cryptography;
using System.Text.Json;
using FluentValidation;
using JasperFx;
using JasperFx.Events;
using Marten;
using Marten.Exceptions;

namespace ComplianceEvents.Infrastructure;

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
/// The one path every command takes, whatever its entry point (HTTP, CLI, queue; the importers decide with the same slices):
/// shape, actor, the sender's receipt for the command id, one round trip that fetches the stream for writing with the
/// receipt and whatever the decision reads, the module's pure decision, and one transaction with the events and the
/// receipt. Integration events are published from the log afterwards, not here. Rules are returned, never thrown.
/// </summary>
public sealed class CommandRunner(IDocumentStore store, CommandValidators validators, CommandSlices slices, LogHorizon horizon,
    TimeProvider clock, IEnvelopeSenders? senders = null, ILogger<CommandRunner>? logger = null, IEnvelopeReplies? replies = null)
{
    public IDocumentStore Store => store;

    /// <summary>Where the log is settled: a command that pins a point of it (publishing) asks here first.</summary>
    public LogHorizon Horizon => horizon;

    private const int RaceRetries = 3;
    private const string StreamVersionRule = "stream-version";

    /// <summary>Runs a command of any module, found by its type.</summary>
    public Task<CommandResult> Send(object command, CommandContext context, CancellationToken ct) =>
        (slices.For(command.GetType()) ?? throw new InvalidOperationException($"{command.GetType().Name} is not a command."))
        .Run(this, command, context, ct);

    /// <summary>
    /// A command that arrived as a Wolverine message (a queue): who sends it is what the listener vouches for, and the
    /// answer goes to whoever hears replies (a sender may have asked for it, docs/integration.md "Replies").
    /// </summary>
    public async Task<CommandResult> Send(object command, Wolverine.Envelope envelope, CancellationToken ct)
    {
        var context = senders?.ContextOf(envelope) ?? new CommandContext(null);
        var result = await Send(command, context, ct);
        replies?.Answered(envelope, command, context, result);
        return result;
    }

    public async Task<CommandResult> Run<TCommand, TState, TLoaded>(CommandSlice<TCommand, TState, TLoaded> slice, TCommand command,
        CommandContext context, CancellationToken ct) where TCommand : notnull where TState : class
    {
        var result = Admit(command, context) ?? await RunOnce(slice, command, context, ct);
        // A caller that named no expected version lost only a race, not an argument: decide again on the new
        // state (which may now refuse by rule, e.g. proposal-pending). With If-Match/ExpectedVersion the conflict stands.
        var expected = slice.ExpectedVersion(command);
        for (var attempt = 1; attempt < RaceRetries && expected is null && result.Rule == StreamVersionRule; attempt++)
            result = await RunOnce(slice, command, context, ct);
        if (!result.IsAccepted && context.Unattended) LogRefusal(command, context, result);
        return result;
    }

    /// <summary>Shape first (the input contract, then the command's validator), then who asks: null when the command may go on.</summary>
    public CommandResult? Admit(object command, CommandContext context) =>
        validators.Check(command, context.Wire)
        ?? (context.Actor is null
            ? new CommandResult { Outcome = Outcome.Unauthenticated, Rule = "actor-required",
                Message = "Every command needs an acting user." }
            : null);

    /// <summary>
    /// A queued refusal, logged once for the operators whether or not its sender asked for a reply: the command, its id, the
    /// rule and every field error (docs/integration.md "Refusals"), the fields also as a structured property.
    /// </summary>
    public void LogRefusal(object command, CommandContext context, CommandResult result) =>
        logger?.LogWarning("Queued command {CommandType} {CommandId} refused: {Outcome} {Rule}: {Message}{FieldErrors}",
            command.GetType().Name, context.CommandId ?? context.CausationId, result.Outcome, result.Rule, result.Message,
            string.Concat(result.Errors.Select(e => $" {e.Field}: {e.Rule} ({e.Message})")));

    private async Task<CommandResult> RunOnce<TCommand, TState, TLoaded>(CommandSlice<TCommand, TState, TLoaded> slice,
        TCommand command, CommandContext context, CancellationToken ct) where TCommand : notnull where TState : class
    {
        var actor = context.Actor!;
        var commandId = context.CommandId;
        var commandType = typeof(TCommand).Name;
        var payloadHash = PayloadHash(command);
        var streamKey = slice.Stream(command);
        var expectedVersion = slice.ExpectedVersion(command);

        await using var session = store.LightweightSession();
        // The command's own id when no message carried it (HTTP, the CLI): every event names what caused it.
        var causation = context.CausationId ?? Guid.NewGuid().ToString();
        session.CorrelationId = context.CorrelationId ?? causation;
        session.CausationId = causation;
        session.LastModifiedBy = actor.UserId;
        session.SetHeader(EventHeaders.User, actor.UserId);
        session.SetHeader(EventHeaders.Command, commandType);
        if (commandId is not null) session.SetHeader(EventHeaders.CommandId, commandId);

        try
        {
            // One round trip: the stream for writing (its version is asserted when the events are saved), the sender's
            // receipt for the command id, and whatever the decision reads.
            var batch = session.CreateBatchQuery();
            var fetching = batch.Events.FetchForWriting<TState>(streamKey);
            var receipts = commandId is null ? null : batch.LoadMany<CommandReceipt>().ById(CommandReceipt.IdFor(actor, commandId),
                commandId);
            var loading = slice.Load?.Invoke(command, new BatchReads(batch));
            await batch.Execute(ct);
            var stream = await fetching;
            var loaded = loading is null ? default! : await loading;
            // A replay is answered only once the decision's own authorisation passes again (below), as for a fresh command.
            var earlier = receipts is null ? null : await Earlier(session, await receipts, actor, commandId!, commandType, payloadHash, ct);

            if (IsTornRead(stream))
                return await WinnerOr(RuleViolation.Conflict(StreamVersionRule, $"The stream '{streamKey}' changed while it was " +
                    $"read; reload and retry."), null);

            var decision = slice.Decide(command, new DecisionInput<TState, TLoaded>(stream.Aggregate, loaded, actor, clock.GetUtcNow()));
            if (earlier is not null) return Authorised(earlier, decision);
            // A replay's stream has moved past the version its first run expected: only a fresh command is held to it.
            if (expectedVersion is { } expected && (stream.StartingVersion ?? 0) != expected)
                return await WinnerOr(VersionConflict(streamKey, expected), null);
            if (decision.Violation is { } violation) return await WinnerOr(violation, decision);

            stream.AppendMany(decision.Events);
            var result = CommandResult.Accepted(streamKey, (stream.StartingVersion ?? 0) + decision.Events.Count,
                stream.Events.Select(e => e.Id).ToList(), decision.Flags) with { ResourceId = decision.ResourceId };
            if (commandId is not null)
                session.Insert(new CommandReceipt(CommandReceipt.IdFor(actor, commandId), commandType, payloadHash, result,
                    clock.GetUtcNow()));
            await Outages.Commit(() => session.SaveChangesAsync(ct), $"{commandType} on '{streamKey}'", commandId);
            return result;
        }
        catch (Exception e) when (IsConflict(e))
        {
            // A concurrent copy of the same command may have won: answer as it did (idempotency under concurrency).
            // The winner had the same sender (the receipt key says so) and passed the same decision.
            return await WinnerOr(VersionConflict(streamKey, expectedVersion), null);
        }

        // A concurrent copy of this command (same sender, same id) that committed after the receipt was looked up above leaves
        // this copy a state that refuses it (evidence-exists, proposal-pending) or a lost race: the copy answers as the
        // winner did, once its own authorisation passes, and appends nothing (idempotency under concurrency).
        async Task<CommandResult> WinnerOr(RuleViolation refusal, Decision? decision) =>
            commandId is not null && await FindReceipt(actor, commandId, commandType, payloadHash, ct) is { } winner
                ? decision is null ? winner : Authorised(winner, decision)
                : CommandResult.Refused(refusal);
    }

    private static RuleViolation VersionConflict(string streamKey, long? expected) =>
        RuleViolation.Conflict(StreamVersionRule, $"The stream '{streamKey}' changed concurrently" +
            $"{(expected is { } v ? $" (expected version {v})" : "")}; reload and retry.");

    private async Task<CommandResult?> FindReceipt(Actor sender, string commandId, string commandType, string payloadHash,
        CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var found = await query.LoadManyAsync<CommandReceipt>(ct, CommandReceipt.IdFor(sender, commandId), commandId);
        return await Earlier(query, found, sender, commandId, commandType, payloadHash, ct);
    }

    /// <summary>
    /// The sender's earlier answer to this command id, from the receipts found under the sender's key and under the bare id.
    /// A receipt stored before receipts were keyed by sender is keyed by the bare command id: it is the sender's own when the
    /// events it appended carry the sender's user id, another user's command otherwise (so this one is new to this sender),
    /// and when its events do not name a sender the id cannot be used again (409 command-id-reused): neither a duplicate nor
    /// another user's replay.
    /// </summary>
    private static async Task<CommandResult?> Earlier(IQuerySession query, IReadOnlyList<CommandReceipt> found, Actor sender,
        string commandId, string commandType, string payloadHash, CancellationToken ct)
    {
        var receiptId = CommandReceipt.IdFor(sender, commandId);
        if (found.FirstOrDefault(r => r.Id == receiptId) is { } receipt) return Replay(receipt, commandId, commandType, payloadHash);
        if (found.FirstOrDefault(r => r.Id == commandId) is not { } legacy) return null;
        var firstEvent = legacy.Result.EventIds.Count == 0 ? null : await query.Events.LoadAsync(legacy.Result.EventIds[0], ct);
        var owner = firstEvent?.GetHeader(EventHeaders.User)?.ToString();
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
