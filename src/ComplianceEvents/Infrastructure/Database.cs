namespace ComplianceEvents.Infrastructure;

/// <summary>
/// DESIGN 2.3: with ConnectionStrings:Marten set, use it and start nothing; without it, start (or reuse)
/// the embedded cluster under .data/pg in the working directory, kept between runs.
/// </summary>
public static class Database
{
    public static string ResolveConnectionString(IConfiguration configuration, IServiceCollection services)
    {
        var configured = configuration.GetConnectionString(Persistence.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured)) return configured;

        var dataDir = configuration["Embedded:DataDirectory"] ?? Path.Combine(Directory.GetCurrentDirectory(), ".data", "pg");
        var cluster = LocalPostgres.StartOrReuse(dataDir);
        // The container disposes it on shutdown (Ctrl+C included); ProcessExit covers exits that skip disposal.
        services.AddSingleton(cluster);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Dispose();
        Console.Error.WriteLine(cluster.StartedHere
            ? $"Embedded PostgreSQL started from {dataDir} on port {cluster.Port}."
            : $"Embedded PostgreSQL already running from {dataDir} on port {cluster.Port}; reusing it.");
        return cluster.ConnectionString();
    }
}
