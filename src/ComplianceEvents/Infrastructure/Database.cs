using Npgsql;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// DESIGN 2.3: with ConnectionStrings:Marten set, use it and start nothing; without it, start (or reuse)
/// the embedded cluster under .data/pg in the working directory, kept between runs, on a port that does not move.
/// </summary>
public static class Database
{
    /// <exception cref="EmbeddedPostgresException">the embedded cluster cannot start, for a reason its message names in one
    /// line</exception>
    public static string ResolveConnectionString(IConfiguration configuration, IServiceCollection services)
    {
        var configured = configuration.GetConnectionString(Persistence.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var password = new NpgsqlConnectionStringBuilder(configured).Password is { Length: > 0 };
            services.AddSingleton(new DatabaseEndpoint(configured, password
                ? $"password authentication: the password in ConnectionStrings:{Persistence.ConnectionStringName}, not printed"
                : "no password configured (the server's pg_hba.conf decides)"));
            return configured;
        }

        var requested = EmbeddedDirectory(configuration);
        var server = !CliHost.IsCommand(Environment.GetCommandLineArgs()[1..]);
        var cluster = LocalPostgres.StartOrReuse(requested, ClusterPort.Configured(configuration), server);
        // The container disposes it on shutdown (Ctrl+C included); ProcessExit covers exits that skip disposal.
        services.AddSingleton(cluster);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Dispose();
        services.AddSingleton(new DatabaseEndpoint(cluster.ConnectionString(), LocalPostgres.Authentication));
        var where = cluster.DataDirectory == requested ? cluster.DataDirectory
            : $"{cluster.DataDirectory} (the {ClusterPlacement.ServerUser} user cannot reach {requested})";
        Console.Error.WriteLine(cluster switch
        {
            { StartedHere: true } => $"Embedded PostgreSQL started from {where} on port {cluster.Port}.",
            { Owned: true } => $"Embedded PostgreSQL already running from {where} on port {cluster.Port}; reusing it and stopping it " +
                $"on exit ({cluster.FoundOwner switch
                {
                    null => "no owner recorded",
                    { IsAlive: true } live => $"taken over from {live}, which leaves it running",
                    var gone => $"its {gone} is gone",
                }}).",
            _ => $"Embedded PostgreSQL already running from {where} on port {cluster.Port}; reusing it (its {cluster.FoundOwner} " +
                $"stops it).",
        });
        return cluster.ConnectionString();
    }

    /// <summary>Embedded:DataDirectory, or .data/pg in the working directory: the host and every command resolve it alike.</summary>
    public static string EmbeddedDirectory(IConfiguration configuration) =>
        Path.GetFullPath(configuration["Embedded:DataDirectory"] ?? Path.Combine(Directory.GetCurrentDirectory(), ".data", "pg"));
}

/// <summary>The database this host uses and how it authenticates: what an integrator is told to connect to.</summary>
public sealed record DatabaseEndpoint(string ConnectionString, string Authentication);
