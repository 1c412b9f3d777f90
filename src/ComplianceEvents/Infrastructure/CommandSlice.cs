using System.Linq.Expressions;
using System.Reflection;
using Marten;
using Marten.Services.BatchQuerying;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// Who sends a command, under which command id, and how it arrived: made once by the entry point (HTTP from the bearer
/// token, the CLI from --user, a queue listener from the queue's configured identity, an import from its step) and passed
/// on as a value. A null <see cref="Actor"/> is refused (401) by the pipeline.
/// </summary>
public sealed record CommandContext(Actor? Actor, string? CommandId = null, string? CorrelationId = null, string? CausationId = null)
{
    /// <summary>The body as a transport delivered it, checked against the input contract as received; null in process.</summary>
    public ReadOnlyMemory<byte>? Wire { get; init; }

    /// <summary>Nobody waits for the answer (a queued command): refusals are logged for the operators.</summary>
    public bool Unattended { get; init; }

    public CommandContext With(string? commandId) => this with { CommandId = string.IsNullOrWhiteSpace(commandId) ? null : commandId };
}

/// <summary>
/// Who a command that arrived as a Wolverine message acts as. Its headers were written by whoever sent it, so they are never
/// believed: the Integration module vouches for the inbound queue's configured identity, and for nothing else.
/// </summary>
public interface IEnvelopeSenders
{
    CommandContext ContextOf(Wolverine.Envelope envelope);
}

/// <summary>
/// Hears the answer to a command that arrived as a Wolverine message, so that a sender who asked for one gets it (the
/// Integration module replies once the handler has returned). The answer is the same whether anybody listens.
/// </summary>
public interface IEnvelopeReplies
{
    void Answered(Wolverine.Envelope envelope, object command, CommandContext context, CommandResult result);
}

/// <summary>The headers every appended event carries (audit trails read them), and the one a sender names its command id in.</summary>
public static class EventHeaders
{
    public const string User = "user-id", Command = "command", CommandId = "command-id";
}

/// <summary>
/// What a decision reads besides its own stream. Loads are queued, then answered together with the stream (one round trip):
/// start every load before awaiting any. An import answers them from the state it holds in memory.
/// </summary>
public interface IReads
{
    Task<T?> Load<T>(string id) where T : class;
    Task<bool> Any<T>(Expression<Func<T, bool>> where) where T : class;
}

/// <summary>A decision reads nothing besides its own stream.</summary>
public readonly record struct Nothing;

/// <summary>What a decision function sees: its stream's state, what it asked to read, who asks and when.</summary>
public sealed record DecisionInput<TState, TLoaded>(TState? State, TLoaded Loaded, Actor Actor, DateTimeOffset Now) where TState : class;

/// <summary>
/// One command of a module, as the pipeline runs it: the stream it appends to, the version the sender expects, what it
/// reads besides, and the module's pure decision. The same description serves every entry point and the importers.
/// </summary>
public interface ICommandSlice
{
    Type CommandType { get; }
    string StreamKey(object command);
    Task<CommandResult> Run(CommandRunner runner, object command, CommandContext context, CancellationToken ct);

    /// <summary>The decision on state the caller holds in memory (an import's): <paramref name="reads"/> must answer at once.</summary>
    Decision Decide(object command, object? state, IReads reads, Actor actor, DateTimeOffset now);
}

public sealed class CommandSlice<TCommand, TState, TLoaded> : ICommandSlice where TCommand : notnull where TState : class
{
    public required Func<TCommand, string> Stream { get; init; }
    public Func<TCommand, long?> ExpectedVersion { get; init; } = _ => null;
    /// <summary>Queues the reads the decision needs; null when it needs none.</summary>
    public Func<TCommand, IReads, Task<TLoaded>>? Load { get; init; }
    public required Func<TCommand, DecisionInput<TState, TLoaded>, Decision> Decide { get; init; }

    public Type CommandType => typeof(TCommand);
    public string StreamKey(object command) => Stream((TCommand)command);

    public Task<CommandResult> Run(CommandRunner runner, object command, CommandContext context, CancellationToken ct) =>
        runner.Run(this, (TCommand)command, context, ct);

    Decision ICommandSlice.Decide(object command, object? state, IReads reads, Actor actor, DateTimeOffset now)
    {
        var cmd = (TCommand)command;
        var loading = Load?.Invoke(cmd, reads);
        if (loading is { IsCompleted: false }) throw new InvalidOperationException("In-memory reads must answer at once.");
        return Decide(cmd, new DecisionInput<TState, TLoaded>(state as TState, loading is null ? default! : loading.Result, actor, now));
    }
}

/// <summary>Every module's command slices, found once (public static fields and properties of type <see cref="ICommandSlice"/>).</summary>
public sealed class CommandSlices
{
    private readonly Dictionary<Type, ICommandSlice> _byCommand;

    public CommandSlices(IEnumerable<ICommandSlice> slices) => _byCommand = slices.ToDictionary(s => s.CommandType);

    public static CommandSlices FromAssembly(Assembly assembly) =>
        new(assembly.GetTypes().Where(t => t is { IsAbstract: true, IsSealed: true })
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => typeof(ICommandSlice).IsAssignableFrom(f.FieldType)).Select(f => f.GetValue(null))
                .Concat(t.GetProperties(BindingFlags.Public | BindingFlags.Static)
                    .Where(p => typeof(ICommandSlice).IsAssignableFrom(p.PropertyType)).Select(p => p.GetValue(null))))
            .OfType<ICommandSlice>());

    public ICommandSlice? For(Type commandType) => _byCommand.GetValueOrDefault(commandType);

    public bool Contains(Type commandType) => _byCommand.ContainsKey(commandType);
}

/// <summary>The reads of a decision, queued on the batch that fetches its stream for writing.</summary>
internal sealed class BatchReads(IBatchedQuery batch) : IReads
{
    public Task<T?> Load<T>(string id) where T : class => batch.Load<T>(id)!;
    public Task<bool> Any<T>(Expression<Func<T, bool>> where) where T : class => batch.Query<T>().Any(where);
}
