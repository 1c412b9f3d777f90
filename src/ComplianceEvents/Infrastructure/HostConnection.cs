using Npgsql;
using Weasel.Postgresql;
using Wolverine;
using Wolverine.Postgresql.Transport;
using Wolverine.Runtime;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// What an integrator connects to, printed by the server beside "Now listening" (docs/integration.md, "Connecting to the
/// host"): a connection string Npgsql and Wolverine take as it is (never a password), the authentication, and the queue
/// tables, read from Wolverine's own transport so the names are the ones it polls and writes.
/// </summary>
public static class HostConnection
{
    public const string ConnectPrefix = "Integrators connect to PostgreSQL: ";
    public const string QueuesPrefix = "Integration queues: ";

    public static IReadOnlyList<string> Describe(IServiceProvider services)
    {
        var endpoint = services.GetRequiredService<DatabaseEndpoint>();
        var given = new NpgsqlConnectionStringBuilder(endpoint.ConnectionString);
        var shown = new NpgsqlConnectionStringBuilder { Host = given.Host, Port = given.Port, Database = given.Database,
            Username = given.Username };
        var transport = services.GetRequiredService<IWolverineRuntime>().Options.Transports.GetOrCreate<PostgresqlTransport>();
        var queues = transport.Queues.ToList();
        // Wolverine's own naming (PostgresqlQueue): wolverine_queue_<name>, shortened as PostgreSQL would truncate it.
        string Tables(bool listening) => string.Join(", ", queues.Where(q => q.IsListener == listening)
            .Select(q => $"{transport.TransportSchemaName}.{PostgresqlIdentifier.Shorten("wolverine_queue_" + q.Name)}")
            .DefaultIfEmpty("none"));
        return
        [
            $"{ConnectPrefix}{shown.ConnectionString} ({endpoint.Authentication})",
            $"{QueuesPrefix}inbound (commands) {Tables(listening: true)}; outbound (events) {Tables(listening: false)}",
        ];
    }
}
