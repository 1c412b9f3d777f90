using System.Net.Sockets;
using System.Text.Json;
using Npgsql;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// Bad input that reaches the framework (malformed JSON, a bad header) is a 400, never a 500; a database that cannot be
/// reached is a 503 with Retry-After (docs/api.md "Errors"), not a 500.
/// </summary>
public static class HttpErrors
{
    public static int StatusFor(Exception e) => e switch
    {
        BadHttpRequestException b => b.StatusCode,
        JsonException or FormatException => StatusCodes.Status400BadRequest,
        CommitOutcomeUnknownException => StatusCodes.Status503ServiceUnavailable,
        _ when DatabaseUnavailable(e) => StatusCodes.Status503ServiceUnavailable,
        { InnerException: { } inner } => StatusFor(inner),
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>
    /// The database went away or cannot take the request: a connection refused, broken or timed out, the server shutting
    /// down or starting (57P01-57P03), too many connections (53300), any connection exception (class 08).
    /// </summary>
    public static bool DatabaseUnavailable(Exception e) => e switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState is "57P01" or "57P02" or "57P03" or
            "53300",
        NpgsqlException n => n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException,
        { InnerException: { } inner } => DatabaseUnavailable(inner),
        _ => false,
    };
}
