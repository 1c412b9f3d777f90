using System.Data.Common;
using System.Net.Sockets;
using Marten;
using Marten.Exceptions;
using Npgsql;
using Polly;
using Polly.Retry;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// How long a request may wait for a database that is gone (docs/api.md "Outages"): the server gives up connecting after
/// <see cref="ConnectSeconds"/>, gives up on a statement the server never answers after <see cref="CommandSeconds"/>, and
/// retries a read only after a failure that came at once (a refused or broken connection), never after a wait ran out. So
/// no request waits longer than <see cref="Bound"/> for a database that is unreachable or hangs; the answer is 503.
/// </summary>
public static class Outages
{
    public const int ConnectSeconds = 2;
    public const int CommandSeconds = 8;
    private const int ReadRetries = 2;

    /// <summary>
    /// The stated bound: the longest wait is a statement the server stopped answering; Npgsql then cancels it on a new
    /// connection, which waits up to the connect timeout twice (measured: 8 s + 2 x 2 s). One second more covers the retries'
    /// pauses (50 and 100 ms) and their quick failures.
    /// </summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(CommandSeconds + 2 * ConnectSeconds + 1);

    /// <summary>
    /// The connection string with the server's waits bounded where it does not set them itself: an operator's explicit
    /// Timeout or Command Timeout is kept (and then the bound is theirs).
    /// </summary>
    public static string Bounded(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var bounded = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Names(given, "Timeout", "Connect Timeout", "Connection Timeout")) bounded.Timeout = ConnectSeconds;
        if (!Names(given, "Command Timeout", "CommandTimeout")) bounded.CommandTimeout = CommandSeconds;
        return bounded.ConnectionString;
    }

    private static bool Names(DbConnectionStringBuilder given, params string[] keys) => keys.Any(given.ContainsKey);

    /// <summary>
    /// Marten's read retries, bounded: a failure that came at once is tried twice more (a pooled connection the outage broke
    /// is replaced by a fresh one); a timeout is not retried, since it already waited its whole budget. Commits keep Marten's
    /// own write policy, which retries only what provably left nothing behind.
    /// </summary>
    public static void BoundRetries(StoreOptions opts) => opts.ConfigurePolly(builder => builder.AddRetry(new RetryStrategyOptions
    {
        ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is NpgsqlException or MartenCommandException
            && !TimedOut(args.Outcome.Exception)),
        MaxRetryAttempts = ReadRetries,
        Delay = TimeSpan.FromMilliseconds(50),
        BackoffType = DelayBackoffType.Exponential,
    }));

    private static bool TimedOut(Exception? e) => e switch
    {
        null => false,
        TimeoutException => true,
        NpgsqlException { InnerException: TimeoutException } => true,
        _ => TimedOut(e.InnerException),
    };

    /// <summary>
    /// Whether a commit that failed with this exception may have been saved anyway: the connection broke or timed out after
    /// the statement was sent, or the server ended the session (a FATAL answer, e.g. 57P01 while shutting down), so only the
    /// server knows. A connection that was refused (nothing was sent) or an ERROR answer (the transaction is rolled back and
    /// the session goes on) leaves no doubt.
    /// </summary>
    public static bool MayHaveCommitted(Exception e) => ServerAnswer(e) is { } answered
        ? answered.InvariantSeverity is "FATAL" or "PANIC"
        : HttpErrors.DatabaseUnavailable(e) && !Refused(e);

    private static bool Refused(Exception? e) => e switch
    {
        null => false,
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => true,
        _ => Refused(e.InnerException),
    };

    private static PostgresException? ServerAnswer(Exception? e) => e switch
    {
        null => null,
        PostgresException p => p,
        _ => ServerAnswer(e.InnerException),
    };

    /// <summary>Runs a commit: a failure that may have been saved anyway becomes <see cref="CommitOutcomeUnknownException"/>.</summary>
    public static async Task Commit(Func<Task> commit, string what, string? commandId)
    {
        try { await commit(); }
        catch (Exception e) when (MayHaveCommitted(e)) { throw new CommitOutcomeUnknownException(what, commandId, e); }
    }
}

/// <summary>
/// The database went away while a write was being committed: it may or may not have been saved (503
/// <c>commit-outcome-unknown</c>). A repeat under the same Idempotency-Key answers as the first did if it was saved, and
/// applies it once if it was not; a queued command is redelivered by its queue with the same effect.
/// </summary>
public sealed class CommitOutcomeUnknownException(string what, string? commandId, Exception inner)
    : Exception($"The database connection broke while {what} was being committed; whether it was saved is unknown" +
        (commandId is null ? "." : $" (command id '{commandId}')."), inner)
{
    public string? CommandId { get; } = commandId;
}
