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
        var runtime = EmbeddedRoles.Serve(cluster, DatabaseRoles.Fingerprint(configuration));
        services.AddSingleton(new DatabaseEndpoint(runtime, LocalPostgres.Authentication));
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
        return runtime;
    }

    /// <summary>Embedded:DataDirectory, or .data/pg in the working directory: the host and every command resolve it alike.</summary>
    public static string EmbeddedDirectory(IConfiguration configuration) =>
        Path.GetFullPath(configuration["Embedded:DataDirectory"] ?? Path.Combine(Directory.GetCurrentDirectory(), ".data", "pg"));
}

/// <summary>
/// The embedded default's least privilege (ADR 0007): as the cluster's superuser it creates both roles and gives the
/// migration role what an earlier version created; when this build's schema is not applied yet it runs <c>migrate</c> (this
/// program, as a process of its own) as <c>compliance_migration</c>; then the host serves as <c>compliance_runtime</c>.
/// </summary>
public static class EmbeddedRoles
{
    public static string Serve(LocalPostgres cluster, string fingerprint)
    {
        var superuser = cluster.ConnectionString();
        string As(string role) => new NpgsqlConnectionStringBuilder(superuser) { Username = role }.ConnectionString;
        try
        {
            DatabaseRoles.Create(superuser).GetAwaiter().GetResult();
            DatabaseRoles.Adopt(superuser).GetAwaiter().GetResult();
            if (!DatabaseRoles.Applied(superuser, Persistence.SchemaName, fingerprint).GetAwaiter().GetResult())
                Migrate(As(DatabaseRoles.Migration));
        }
        catch (PostgresException e)
        {
            throw new EmbeddedPostgresException($"the embedded cluster's roles could not be set up: {e.SqlState} {e.MessageText}");
        }
        return As(DatabaseRoles.Runtime);
    }

    private static void Migrate(string migration)
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var info = new System.Diagnostics.ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = Directory.GetCurrentDirectory() };
        // Run as `dotnet ComplianceEvents.dll` or as the apphost: the same program either way.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(typeof(EmbeddedRoles).Assembly.Location);
        info.ArgumentList.Add("migrate");
        info.Environment[$"ConnectionStrings__{Persistence.ConnectionStringName}"] = migration;
        using var process = System.Diagnostics.Process.Start(info)
            ?? throw new EmbeddedPostgresException($"the schema step could not start ({self} migrate)");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new EmbeddedPostgresException("the schema step (migrate as compliance_migration) did not end within 3 minutes");
        }
        if (process.ExitCode != 0)
            throw new EmbeddedPostgresException($"the schema step (migrate as {DatabaseRoles.Migration}) failed: " +
                (errors.Result + output.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .LastOrDefault() ?? $"exit {process.ExitCode}");
    }
}

/// <summary>The database this host uses and how it authenticates: what an integrator is told to connect to.</summary>
public sealed record DatabaseEndpoint(string ConnectionString, string Authentication);
