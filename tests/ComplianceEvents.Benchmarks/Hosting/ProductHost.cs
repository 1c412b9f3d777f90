using ComplianceEvents.Infrastructure;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wolverine;

namespace ComplianceEvents.Benchmarks.Hosting;

/// <summary>
/// The product's own host (Program: same handlers, same Marten and Wolverine configuration) over one
/// database of the bench cluster. <paramref name="additions"/> is only used by the figures that need
/// something the product does not have yet (B1c's outgoing message, B3b's async projection).
/// </summary>
public sealed class ProductHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    private readonly Npgsql.NpgsqlDataSource _db;

    private ProductHost(WebApplicationFactory<Program> factory, string connectionString)
    {
        _factory = factory;
        ConnectionString = connectionString;
        _db = Npgsql.NpgsqlDataSource.Create(connectionString);
    }

    public string ConnectionString { get; }
    public Npgsql.NpgsqlDataSource Db => _db;
    public IServiceProvider Services => _factory.Services;
    public IDocumentStore Store => Services.GetRequiredService<IDocumentStore>();

    /// <param name="kestrelPort">When given, the host listens on Kestrel at 127.0.0.1:port (B4's load generator is another process) instead of the in-memory test server.</param>
    public static async Task<ProductHost> Start(string connectionString, Action<IServiceCollection>? additions = null,
        IReadOnlyDictionary<string, string>? settings = null, int? kestrelPort = null)
    {
        // Program ends in RunJasperFxCommands: the factory must be told to start the app it builds (as AppFixture does).
        JasperFxEnvironment.AutoStartHost = true;
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseContentRoot(ContentRoot());
            b.UseSetting($"ConnectionStrings:{Persistence.ConnectionStringName}", connectionString);
            b.UseEnvironment("Production");
            // Per-message Information logging to the console would be measured as part of every command.
            b.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
            // The hourly drift check (ADR 0003) would compare every read model with its events at each host's start, in the
            // middle of whatever figure is being measured; it is maintenance, not a hot path.
            b.UseSetting("ReadModels:DriftCheckMinutes", "0");
            if (Environment.GetEnvironmentVariable("BENCH_TRACE") is { Length: > 0 } trace) b.ConfigureLogging(l => l.AddFilter(trace,
                LogLevel.Debug));
            foreach (var (key, value) in settings ?? new Dictionary<string, string>()) b.UseSetting(key, value);
            if (additions is not null) b.ConfigureServices(additions);
        });
        if (kestrelPort is { } port)
        {
            factory.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, port));
            factory.StartServer();
        }
        else _ = factory.Server;
        var host = new ProductHost(factory, connectionString);
        await host.Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return host;
    }

    /// <summary>
    /// WebApplicationFactory looks for MvcTestingAppManifest.json in the current directory only (test runners
    /// start in the output folder; `dotnet run` does not), so the bench reads it from its own output folder.
    /// </summary>
    private static string ContentRoot()
    {
        var manifest = Path.Combine(AppContext.BaseDirectory, "MvcTestingAppManifest.json");
        var key = typeof(Program).Assembly.FullName!;
        if (File.Exists(manifest)
            && System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(manifest)) is { } roots
            && roots.TryGetValue(key, out var root) && Directory.Exists(root))
            return root;
        return AppContext.BaseDirectory;
    }

    /// <summary>
    /// Waits until Wolverine has no message left to send or handle: the outbox's outgoing envelopes (integration
    /// events bound for the outbound queue) and the durable local queues' incoming ones (webhook fan-out). A
    /// command's run is not over while work it caused is still pending, so the write figures include this tail.
    /// </summary>
    public async Task Drain(TimeSpan timeout)
    {
        await using var cmd = _db.CreateCommand(
            "select coalesce((select count(*) from compliance.wolverine_outgoing_envelopes), 0) "
            + "+ coalesce((select count(*) from compliance.wolverine_incoming_envelopes where status = 'Incoming'), 0)");
        var until = DateTime.UtcNow + timeout;
        while ((long)(await cmd.ExecuteScalarAsync())! > 0)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"Wolverine still had messages pending after " +
                $"{timeout.TotalSeconds:0} s.");
            await Task.Delay(5);
        }
    }

    /// <summary>Messages waiting in the PostgreSQL transport's queue tables (the outbound integration queue: nobody consumes it here).</summary>
    public async Task<long> QueuedMessages()
    {
        var db = _db;
        var tables = new List<string>();
        await using (var find = db.CreateCommand(
            "select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.tables "
            + "where table_name like 'wolverine_queue_%' and table_name not like '%scheduled%'"))
        await using (var reader = await find.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        long total = 0;
        foreach (var table in tables)
        {
            await using var count = db.CreateCommand($"select count(*) from {table}");
            total += (long)(await count.ExecuteScalarAsync())!;
        }
        return total;
    }

    /// <summary>A bus of its own for one worker: Wolverine's IMessageBus is scoped and not meant to be shared across concurrent callers.</summary>
    public CommandSender NewSender() => new(Services.GetRequiredService<CommandRunner>());

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }
}

/// <summary>Sends a command through the product's pipeline as the given actor, as the HTTP and CLI entry points do.</summary>
public sealed class CommandSender(CommandRunner runner)
{
    public Task<CommandResult> Send(object command, Actor actor) => runner.Send(command, new CommandContext(actor), default);
}
