namespace ComplianceEvents.Infrastructure;

/// <summary>
/// DESIGN 2.3: with ConnectionStrings:Marten set, use it and start nothing; without it, start (or reuse)
/// the embedded cluster under .data/pg in the working directory, kept between runs.
/// </summary>
public static class Database
{
    /// <exception cref="EmbeddedPostgresException">the embedded cluster cannot start, for a reason its message names in one
    /// line</exception>
    public static string ResolveConnectionString(IConfiguration configuration, IServiceCollection services)
    {
        var configured = configuration.GetConnectionString(Persistence.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured)) return configured;

        var requested = Path.GetFullPath(configuration["Embedded:DataDirectory"] ?? Path.Combine(Directory.GetCurrentDirectory(), ".data",
            "pg"));
        var cluster = LocalPostgres.StartOrReuse(requested);
        // The container disposes it on shutdown (Ctrl+C included); ProcessExit covers exits that skip disposal.
        services.AddSingleton(cluster);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Dispose();
        var where = cluster.DataDirectory == requested ? cluster.DataDirectory
            : $"{cluster.DataDirectory} (the {ClusterPlacement.ServerUser} user cannot reach {requested})";
        Console.Error.WriteLine(cluster.StartedHere
            ? $"Embedded PostgreSQL started from {where} on port {cluster.Port}."
            : $"Embedded PostgreSQL already running from {where} on port {cluster.Port}; reusing it.");
        return cluster.ConnectionString();
    }
}
