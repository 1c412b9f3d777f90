using System.Runtime.CompilerServices;
using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Commitments.PublishingRubric;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.Cycles;
using ComplianceEvents.Cycles.SettingReportWindow;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Auth;
using ComplianceEvents.Integration;
using ComplianceEvents.Integration.PublishingEvents;
using ComplianceEvents.IntegrationTests.Cycles;
using ComplianceEvents.IntegrationTests.WriteSide;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Marten;
using IProjectionCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;
using Microsoft.Extensions.Logging;
using Npgsql;
using Wolverine;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>
/// A second host on a database of its own, configured for integration tests: queues of its own, millisecond webhook
/// backoff and fast dead-letter recovery. Its own database because integration events are published from the log by
/// the one daemon a database has (HotCold): on the fixture's database that would be the shared host's, publishing to
/// the shared host's queues. One per fixture, stopped (and its database dropped) when the fixture's host stops.
/// </summary>
public sealed class IntegrationHost
{
    private static readonly ConditionalWeakTable<AppFixture, IntegrationHost> Hosts = new(), ApprovingHosts = new();

    /// <summary>The queue identity is an analyst that may not review (the defaults).</summary>
    public static IntegrationHost For(AppFixture app) => Hosts.GetValue(app, a => new IntegrationHost(a, QueueIdentity, Roles.Analyst, false));

    /// <summary>The queue identity is lead analyst of #19 and Integration:Inbound:AllowApprovals is on.</summary>
    public static IntegrationHost Approving(AppFixture app) => ApprovingHosts.GetValue(app, a =>
        new IntegrationHost(a, PipelineLead, $"{Roles.Analyst},{Roles.Scoped(Roles.LeadAnalyst, World.Cycle, World.C19)}", true));

    public const string QueueIdentity = "harvester", PipelineLead = "pipeline-lead";
    public string InboundQueue { get; }
    public string OutboundQueue { get; }
    public WebApplicationFactory<Program> Factory { get; }
    public LogCapture Logs { get; } = new();
    public string ConnectionString { get; }

    private IntegrationHost(AppFixture app, string identity, string roles, bool allowApprovals)
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        (InboundQueue, OutboundQueue) = ("commands-" + suffix, "events-" + suffix);
        ConnectionString = CreateDatabase(app.ServerConnectionString, "compliance_integration_" + suffix);
        Factory = app.Factory.WithWebHostBuilder(b =>
        {
            b.UseSetting($"ConnectionStrings:{Persistence.ConnectionStringName}", ConnectionString);
            b.UseSetting("Integration:Inbound:Queue", InboundQueue);
            b.UseSetting("Integration:Inbound:Identity", identity);
            b.UseSetting("Integration:Inbound:Roles", roles);
            b.UseSetting("Integration:Inbound:AllowApprovals", allowApprovals.ToString());
            b.UseSetting("Integration:Inbound:PollingInterval", "00:00:00.100");
            b.UseSetting("Integration:Outbound:Queues", OutboundQueue);
            b.UseSetting("Integration:Webhooks:RetryDelays", "00:00:00.050, 00:00:00.100");
            b.UseSetting("Integration:Webhooks:Timeout", "00:00:02");
            b.UseSetting("Integration:RecoveryPollingInterval", "00:00:00.250");
            b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(Logs));
        });
        _ = Factory.Server;
        // The fixture removes the cluster right after stopping its own host; this one must be gone by then.
        app.Factory.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() =>
        {
            Factory.DisposeAsync().AsTask().GetAwaiter().GetResult();
            NpgsqlConnection.ClearAllPools();
            Execute(app.ServerConnectionString, $"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(ConnectionString).Database} " +
                "WITH (FORCE)").GetAwaiter().GetResult();
        });
    }

    /// <summary>An empty database on the fixture's server; the connection string to it.</summary>
    public static string CreateDatabase(string serverConnectionString, string name)
    {
        Execute(serverConnectionString, $"CREATE DATABASE {name}").GetAwaiter().GetResult();
        return new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    private static async Task Execute(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public IDocumentStore Store => Factory.Services.GetRequiredService<IDocumentStore>();

    /// <summary>Domain events committed in this host's database (Marten's mt_tombstone filler not counted).</summary>
    public Task<long> EventCount() => Scalar("select count(*) from compliance.mt_events where stream_id <> 'mt_tombstone'", null);

    public IMessageBus Bus => Factory.Services.CreateScope().ServiceProvider.GetRequiredService<IMessageBus>();

    /// <summary>In-process, like HTTP after authentication: the actor is passed to the pipeline as a value.</summary>
    public Task<CommandResult> Send(object command, string user, string[] roles, string? commandId = null) =>
        Factory.Services.GetRequiredService<CommandRunner>().Send(command, new CommandContext(new Actor(user, roles), commandId), default);

    /// <summary>Through the durable inbound queue, with headers a sender may forge.</summary>
    public ValueTask SendToQueue(object command, string forgedUser = World.Director, string forgedRoles = Roles.ComplianceDirector) =>
        Bus.EndpointFor(InboundUri).SendAsync(command,
            new DeliveryOptions().WithHeader("ce-user", forgedUser).WithHeader("ce-roles", forgedRoles));

    /// <summary>Bytes as a broken sender might write them: Wolverine cannot turn them into the message type.</summary>
    public ValueTask SendRawToQueue(byte[] body, Type messageType) =>
        Bus.EndpointFor(InboundUri).SendRawMessageAsync(body, messageType, e =>
        {
            e.Destination = InboundUri;
            e.ContentType = "application/json";
        });

    private Uri InboundUri => new($"postgresql://{EnvelopeActors.QueueName(InboundQueue)}");

    public HttpClient Client(string user, params string[] roles)
    {
        var client = Factory.CreateClient();
        var token = DevTokens.Mint(Factory.Services.GetRequiredService<AuthSettings>(), user, roles);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public HttpClient Director => Client(World.Director, World.DirectorRoles);

    /// <summary>Messages of that type waiting in this host's outbound queue table, as another service would read them.</summary>
    public Task<long> Outbound(string messageType) =>
        Scalar($"select count(*) from {OutboundTable} where message_type = @type", messageType);

    /// <summary>
    /// A clean start for a test: no events, documents, dead letters, outbound rows or pending webhook deliveries. The daemon is
    /// paused meanwhile (a reset restarts the event sequence under it), and the call returns once the publisher runs again.
    /// </summary>
    public async Task ResetMessaging()
    {
        var coordinator = Factory.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        await Infrastructure.Chain.EventChain.ResetAllData(Factory.Services);
        await Scalar<object>("delete from compliance.wolverine_dead_letters; delete from compliance.wolverine_incoming_envelopes; " +
            $"delete from compliance.wolverine_outgoing_envelopes; delete from {OutboundTable}; select 1", null);
        await coordinator.ResumeAsync();
        // Running again from the start of the emptied log (no progress row: the publisher starts from the beginning).
        await Eventually(() => Task.FromResult(coordinator.DaemonForMainDatabase().CurrentAgents()
                .FirstOrDefault(a => a.Name.Identity.StartsWith(IntegrationPublisher.Name, StringComparison.Ordinal))),
            a => a?.Status.ToString() == "Running" && a.Position == 0, "the integration publisher to run from the start");
    }

    /// <summary>A message in the outbound queue as a consumer would read it, with when it arrived and when its cause was stored.</summary>
    public sealed record OutboundMessage(string MessageType, long Sequence, System.Text.Json.JsonElement Body, DateTime QueuedAt,
        DateTime StoredAt);

    /// <summary>The outbound queue's rows in the order a consumer takes them (its arrival timestamp), decoded.</summary>
    public async Task<IReadOnlyList<OutboundMessage>> OutboundMessages()
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            $"select q.body, q.timestamp::timestamp from {OutboundTable} q order by q.timestamp, q.id", conn);
        var rows = new List<(Wolverine.Envelope Envelope, DateTime QueuedAt)>();
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                rows.Add((Wolverine.Runtime.Serialization.EnvelopeSerializer.Deserialize((byte[])reader[0]), reader.GetDateTime(1)));
        var messages = new List<OutboundMessage>();
        foreach (var (envelope, queuedAt) in rows)
        {
            var sequence = long.Parse(envelope.Headers[IntegrationPublisher.EventSequenceHeader]!);
            await using var stored = new NpgsqlCommand(
                "select (timestamp at time zone 'utc')::timestamp from compliance.mt_events where seq_id = @s", conn);
            stored.Parameters.AddWithValue("s", sequence);
            var storedAt = (DateTime)(await stored.ExecuteScalarAsync())!;
            var body = System.Text.Json.JsonDocument.Parse(envelope.Data).RootElement;
            messages.Add(new OutboundMessage(envelope.MessageType!, sequence, body, queuedAt, storedAt));
        }
        return messages;
    }

    public string OutboundTable => $"wolverine_queues.wolverine_queue_{EnvelopeActors.QueueName(OutboundQueue)}";

    private Task<long> Scalar(string sql, string? type) => Scalar<long>(sql, type);

    private async Task<T> Scalar<T>(string sql, string? type)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (type is not null) cmd.Parameters.AddWithValue("type", type);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>The 2024 Apulia cycle, commitment 19 and its rubric, built through this host.</summary>
    public Task BuildWorld() => BuildWorld((command, user, roles) => Send(command, user, roles));

    /// <summary>The 2024 Apulia cycle, commitment 19 and its rubric, built through the given sender.</summary>
    public static async Task BuildWorld(Func<object, string, string[], Task<CommandResult>> send)
    {
        await Expect(send(OpeningCycleTests.Apulia(), World.Director, World.DirectorRoles));
        await Expect(send(new SetReportWindow(World.Cycle, ReportKind.Interim, new DateOnly(2024, 6, 15),
            new DateOnly(2024, 12, 20)), World.Director, World.DirectorRoles));
        await Expect(send(new SelectCommitment(World.Cycle, World.C19, 19, "Migration and Refugees",
            "Preventing Migrant Smuggling and Trafficking", "We will strengthen our actions ...", "G7 Apulia Leaders' Communiqué", World.Lead,
            World.Director, Dimensions: [new("prevent", "Prevent"), new("counter", "Counter"), new("dismantle", "Dismantle Networks"),
                new("disrupt", "Disrupt Business Models")]), World.Director, World.DirectorRoles));
        await Expect(send(new PublishRubric(World.Cycle, World.C19, World.Rubric19), World.Lead, World.LeadRoles));
    }

    /// <summary>Evidence e1 for the member, proposed as 0 by the analyst and approved by the lead.</summary>
    public async Task ApprovedCell(string member)
    {
        await Expect(Send(World.Evidence(member, new DateOnly(2024, 7, 12), Strength.Strong, "prevent", "counter"), World.Analyst, World.AnalystRoles));
        await Expect(Send(World.Proposal(member, 0, "e1"), World.Analyst, World.AnalystRoles));
        await Expect(Send(new ApproveScore(World.Cycle, World.C19, member, "p1"), World.Lead, World.LeadRoles));
    }

    public static Task<CommandResult> Expect(Task<CommandResult> sent) => World.Expect(sent);

    /// <summary>Polls until the probe's answer satisfies the condition; fails with the last answer after the timeout.</summary>
    public static async Task<T> Eventually<T>(Func<Task<T>> probe, Func<T, bool> done, string what, int seconds = 20,
        TimeSpan? pollEvery = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"Timed out after {seconds}s waiting for {what}; last: {value}");
            await Task.Delay(pollEvery ?? TimeSpan.FromMilliseconds(100));
        }
    }
}
