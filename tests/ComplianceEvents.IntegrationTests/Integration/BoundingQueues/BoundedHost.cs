using System.Runtime.CompilerServices;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Integration;
using ComplianceEvents.IntegrationTests.WriteSide;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Wolverine;

namespace ComplianceEvents.IntegrationTests.Integration.BoundingQueues;

/// <summary>
/// A host with bounded queues (docs/integration.md "Retention") on a database of its own: two outbound queues, one kept an
/// hour and one two days, dead letters kept an hour, a sweep every 200 ms, and a backlog warning at three messages. Its
/// cycle is built once; each test empties the queues and dead letters first. Stopped with the fixture's host.
/// </summary>
public sealed class BoundedHost
{
    private static readonly ConditionalWeakTable<AppFixture, BoundedHost> Hosts = new();
    public static BoundedHost For(AppFixture app) => Hosts.GetValue(app, a => new BoundedHost(a));

    public const int BacklogWarning = 3;
    public string Hourly { get; }
    public string Archive { get; }
    public string Inbound { get; }
    public string ConnectionString { get; }
    public WebApplicationFactory<Program> Factory { get; }
    public InfoLogs Logs { get; } = new();
    private readonly SemaphoreSlim _built = new(1, 1);
    private bool _world;

    private BoundedHost(AppFixture app)
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        (Hourly, Archive, Inbound) = ("hourly-" + suffix, "archive-" + suffix, "commands-" + suffix);
        ConnectionString = IntegrationHost.CreateDatabase(app.ServerConnectionString, "compliance_bounded_" + suffix);
        Factory = app.Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting($"ConnectionStrings:{Persistence.ConnectionStringName}", ConnectionString);
            b.UseSetting("Integration:Inbound:Queue", Inbound);
            b.UseSetting("Integration:Inbound:PollingInterval", "00:00:00.100");
            b.UseSetting("Integration:Outbound:Queues", $"{Hourly}, {Archive}");
            b.UseSetting("Integration:Outbound:Retention", "01:00:00");
            b.UseSetting("Integration:Outbound:RetentionPerQueue", $"{Archive}=2.00:00:00");
            b.UseSetting("Integration:Outbound:BacklogWarningCount", BacklogWarning.ToString());
            b.UseSetting("Integration:DeadLetters:Retention", "01:00:00");
            b.UseSetting("Integration:RetentionSweepInterval", "00:00:00.200");
            b.UseSetting("Integration:RecoveryPollingInterval", "00:00:00.250");
            b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(Logs));
        });
        _ = Factory.Server;
        app.Factory.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() =>
        {
            Factory.DisposeAsync().AsTask().GetAwaiter().GetResult();
            NpgsqlConnection.ClearAllPools();
            using var conn = new NpgsqlConnection(app.ServerConnectionString);
            conn.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(ConnectionString).Database} " +
                "WITH (FORCE)", conn);
            drop.ExecuteNonQuery();
        });
    }

    public string Table(string queue) => $"wolverine_queues.wolverine_queue_{EnvelopeActors.QueueName(queue)}";
    public const string DeadLetters = "compliance.wolverine_dead_letters";

    /// <summary>The cycle exists (built once), and no queue row or dead letter is left from an earlier test.</summary>
    public async Task Clean()
    {
        await _built.WaitAsync();
        try
        {
            if (!_world) await IntegrationHost.BuildWorld((c, user, roles) => Send(c, user, roles));
            _world = true;
        }
        finally { _built.Release(); }
        await Execute($"delete from {Table(Hourly)}; delete from {Table(Archive)}; delete from {DeadLetters}");
    }

    public Task<CommandResult> Send(object command, string user = World.Analyst, string[]? roles = null) =>
        Factory.Services.GetRequiredService<CommandRunner>().Send(command, new CommandContext(new Actor(user, roles ?? World.AnalystRoles)),
            default);

    /// <summary>A new evidence item for Canada: one EvidenceRecordedV1 in each outbound queue.</summary>
    public Task<CommandResult> RecordEvidence() => IntegrationHost.Expect(Send(World.Evidence("CA", new DateOnly(2024, 7, 12))
        with { EvidenceId = "r" + Guid.NewGuid().ToString("N")[..8] }));

    /// <summary>Bytes no command can be read from: a dead letter once the listener tried them.</summary>
    public ValueTask SendPoison() =>
        Factory.Services.CreateScope().ServiceProvider.GetRequiredService<IMessageBus>()
            .EndpointFor(new Uri($"postgresql://{EnvelopeActors.QueueName(Inbound)}"))
            .SendRawMessageAsync("{ \"cycleId\": "u8.ToArray(), typeof(ComplianceEvents.Assessments.RecordingEvidence.RecordEvidence), e =>
            {
                e.Destination = new Uri($"postgresql://{EnvelopeActors.QueueName(Inbound)}");
                e.ContentType = "application/json";
            });

    public async Task<long> Count(string table, string where = "true") =>
        (long)(await Scalar($"select count(*) from {table} where {where}"))!;

    public async Task<object?> Scalar(string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync();
    }

    public Task Execute(string sql) => Scalar(sql + "; select 1");
}
