using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Weasel.Core;
using ComplianceEvents.Infrastructure.Chain;
using Wolverine.Marten;

namespace ComplianceEvents.Infrastructure;

public static class Persistence
{
    public const string ConnectionStringName = "Marten";
    public const string SchemaName = "compliance";

    /// <summary>Every module's part of the store (<see cref="IStoreModule"/>), found in this assembly, in a stable order.</summary>
    internal static readonly IReadOnlyList<IStoreModule> Modules = typeof(Persistence).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IStoreModule).IsAssignableFrom(t)).OrderBy(t => t.FullName)
        .Select(t => (IStoreModule)Activator.CreateInstance(t)!).ToList();

    /// <summary>Every stored event type with its stable name, as the modules declare them.</summary>
    public static readonly IReadOnlyDictionary<Type, string> EventNames =
        Modules.SelectMany(m => m.Events).ToDictionary(kv => kv.Key, kv => kv.Value);

    public static IServiceCollection AddCompliancePersistence(this IServiceCollection services, string connectionString)
    {
        // The server answers an outage within Outages.Bound; a CLI command (an import's COPY) keeps Npgsql's own waits.
        var cli = CliHost.IsCommand(Environment.GetCommandLineArgs()[1..]);
        services.AddMarten(opts => Configure(opts, cli ? connectionString : Outages.Bounded(connectionString)))
            .UseLightweightSessions()
            .IntegrateWithWolverine()
            // Subscriptions (the integration publisher) run on one node at a time; a CLI process leaves them to the server.
            .AddAsyncDaemon(cli ? DaemonMode.Disabled : DaemonMode.HotCold);
        // First of the hosted services: read models of an older shape are rebuilt before anything reads them.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, ReadModelUpgrade>());
        services.AddSingleton(CommandValidators.FromAssembly(typeof(Persistence).Assembly));
        services.AddSingleton(CommandSlices.FromAssembly(typeof(Persistence).Assembly));
        services.AddSingleton<CommandRunner>();
        services.AddSingleton<LogHorizon>();
        services.AddSingleton(TimeProvider.System);
        services.AddEventChain(background: !cli);
        return services;
    }

    public static void Configure(StoreOptions opts, string connectionString)
    {
        opts.Connection(connectionString);
        Outages.BoundRetries(opts);
        opts.DatabaseSchemaName = SchemaName;
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString);
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        opts.Events.StreamIdentity = StreamIdentity.AsString;
        // Quick append: the sequence number and the timestamp are taken by the database inside the appending
        // transaction. Rich mode reserves sequence numbers in a statement before that transaction and stamps events with
        // the client's clock, so a pin could not know that a lower sequence is still on its way (LogHorizon, ADR 0003).
        opts.Events.AppendMode = EventAppendMode.Quick;
        opts.Events.MetadataConfig.EnableAll();
        foreach (var (type, name) in EventNames)
            opts.Events.MapEventType(type, name);
        foreach (var module in Modules) module.Register(opts);
        Chain.EventChain.Register(opts);
        // Rebuilds (docs/benchmarks.md, B3): pages of 5,000 events, and each snapshot written once per window of
        // 100,000 changed aggregates instead of once per page it appears in (Marten's default rewrites a growing
        // assessment for nearly every one of its events; a window of 5,000 still rewrote it a dozen times, because a
        // cell's evidence is spread over a year of the log). 100,000 cells is some 600 cycles: in practice one window,
        // and the bound on the snapshots a rebuild holds in memory.
        foreach (var projection in opts.Projections.All)
        {
            projection.Options.BatchSize = 5_000;
            projection.Options.RebuildFlushThreshold = 100_000;
        }
        // A poison event (one that fails to load or to be processed) pauses the daemon's agent at that event, never skipped
        // or dead-lettered: Marten's continuous defaults skip all three kinds. The coordinator restarts a paused agent from
        // its last committed position every HealthCheckPollingTime (5 s), so it catches up once the cause is fixed, and
        // /health names the event meanwhile (PausedShards; docs/reliability.md "Poison events").
        foreach (var errors in new[] { opts.Projections.Errors, opts.Projections.RebuildErrors })
            (errors.SkipApplyErrors, errors.SkipSerializationErrors, errors.SkipUnknownEvents) = (false, false, false);
        opts.Schema.For<CommandReceipt>().Identity(r => r.Id);
        opts.Schema.For<ReadModelVersion>().Identity(v => v.Id);
    }
}
