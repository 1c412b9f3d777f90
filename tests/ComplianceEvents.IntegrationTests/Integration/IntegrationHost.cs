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
using ComplianceEvents.IntegrationTests.Cycles;
using ComplianceEvents.IntegrationTests.WriteSide;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Wolverine;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>
/// A second host over the fixture's database, configured for integration tests: queues of its own (so
/// the shared host never takes its messages), millisecond webhook backoff and fast dead-letter recovery.
/// One per fixture, stopped when the fixture's host stops.
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
    private readonly AppFixture _app;

    private IntegrationHost(AppFixture app, string identity, string roles, bool allowApprovals)
    {
        _app = app;
        var suffix = Guid.NewGuid().ToString("N")[..6];
        (InboundQueue, OutboundQueue) = ("commands-" + suffix, "events-" + suffix);
        Factory = app.Factory.WithWebHostBuilder(b =>
        {
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
        // The fixture drops the database right after stopping its own host; this one must be gone by then.
        app.Factory.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping
            .Register(() => Factory.DisposeAsync().AsTask().GetAwaiter().GetResult());
    }

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
        Scalar($"select count(*) from wolverine_queues.wolverine_queue_{EnvelopeActors.QueueName(OutboundQueue)} where message_type = @type", messageType);

    /// <summary>Wolverine's tables are not part of the fixture's per-test reset: start each test with no dead letters and no outbound rows.</summary>
    public async Task ResetMessaging()
    {
        var schema = await Scalar<string>("select table_schema from information_schema.tables where table_name = 'wolverine_dead_letters' limit 1", null);
        await Scalar<object>($"delete from {schema}.wolverine_dead_letters; " +
            $"delete from wolverine_queues.wolverine_queue_{EnvelopeActors.QueueName(OutboundQueue)}; select 1", null);
    }

    private Task<long> Scalar(string sql, string type) => Scalar<long>(sql, type);

    private async Task<T> Scalar<T>(string sql, string? type)
    {
        await using var conn = new NpgsqlConnection(_app.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (type is not null) cmd.Parameters.AddWithValue("type", type);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>The 2024 Apulia cycle, commitment 19 and its rubric, built through this host.</summary>
    public async Task BuildWorld()
    {
        await Expect(Send(OpeningCycleTests.Apulia(), World.Director, World.DirectorRoles));
        await Expect(Send(new SetReportWindow(World.Cycle, ReportKind.Interim, new DateOnly(2024, 6, 15),
            new DateOnly(2024, 12, 20)), World.Director, World.DirectorRoles));
        await Expect(Send(new SelectCommitment(World.Cycle, World.C19, 19, "Migration and Refugees",
            "Preventing Migrant Smuggling and Trafficking", "We will strengthen our actions ...", "G7 Apulia Leaders' Communiqué", World.Lead,
            World.Director, Dimensions: [new("prevent", "Prevent"), new("counter", "Counter"), new("dismantle", "Dismantle Networks"),
                new("disrupt", "Disrupt Business Models")]), World.Director, World.DirectorRoles));
        await Expect(Send(new PublishRubric(World.Cycle, World.C19, World.Rubric19), World.Lead, World.LeadRoles));
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
    public static async Task<T> Eventually<T>(Func<Task<T>> probe, Func<T, bool> done, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"Timed out after {seconds}s waiting for {what}; last: {value}");
            await Task.Delay(100);
        }
    }
}
