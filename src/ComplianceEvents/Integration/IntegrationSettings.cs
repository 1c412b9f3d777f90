using System.Globalization;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Integration;

/// <summary>
/// The "Integration" configuration section (docs/integration.md, appsettings.json). Lists are
/// comma-separated strings, not JSON arrays, so one environment variable or one test setting
/// replaces a whole list instead of overlaying it index by index.
/// </summary>
public sealed record IntegrationSettings(InboundSettings Inbound, IReadOnlyList<string> OutboundQueues, WebhookSettings Webhooks,
    TimeSpan? RecoveryPollingInterval)
{
    public const string Section = "Integration";

    public static IntegrationSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var inbound = section.GetSection("Inbound");
        var webhooks = section.GetSection("Webhooks");
        return new IntegrationSettings(
            new InboundSettings(
                inbound.GetValue("Enabled", true),
                inbound["Queue"] is { Length: > 0 } queue ? queue : "compliance-commands",
                inbound["Identity"] is { Length: > 0 } identity ? identity : "integration-queue",
                List(inbound["Roles"] ?? Roles.Analyst),
                inbound.GetValue("AllowApprovals", false),
                Math.Max(1, inbound.GetValue("Parallelism", 1)),
                Duration(inbound["PollingInterval"]) ?? TimeSpan.FromSeconds(1)),
            List(section.GetSection("Outbound")["Queues"] ?? "compliance-events"),
            new WebhookSettings(
                List(webhooks["RetryDelays"] ?? "00:00:01, 00:00:05, 00:00:30, 00:02:00").Select(d => Duration(d)!.Value).ToList(),
                Duration(webhooks["Timeout"]) ?? TimeSpan.FromSeconds(10),
                Math.Max(1, webhooks.GetValue("Parallelism", 4))),
            Duration(section["RecoveryPollingInterval"])) { Retention = RetentionSettings.From(section) };
    }

    /// <summary>How long unconsumed outbound messages and dead letters are kept, and when a backlog is worth a warning.</summary>
    public RetentionSettings Retention { get; init; } = RetentionSettings.From(new ConfigurationBuilder().Build());

    internal static IReadOnlyList<string> List(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal static TimeSpan? Duration(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : TimeSpan.Parse(value.Trim(), CultureInfo.InvariantCulture);
}

/// <summary>The durable command queue and the service identity bound to it (DESIGN 2.3; issue 9 item 3).</summary>
public sealed record InboundSettings(bool Enabled, string Queue, string Identity, IReadOnlyList<string> Roles, bool AllowApprovals,
    int Parallelism, TimeSpan PollingInterval)
{
    /// <summary>Who every command read from the queue acts as, whatever headers its sender wrote.</summary>
    public Actor Actor => new(Identity, Roles) { Via = $"queue:{Queue}", ReviewsAllowed = AllowApprovals };
}

public sealed record WebhookSettings(IReadOnlyList<TimeSpan> RetryDelays, TimeSpan Timeout, int Parallelism);

/// <summary>
/// Bounds on what waits in PostgreSQL for someone else (docs/integration.md "Retention"): an outbound queue nobody consumes,
/// and dead letters nobody replays, would otherwise grow without limit.
/// </summary>
public sealed record RetentionSettings(TimeSpan Outbound, IReadOnlyDictionary<string, TimeSpan> OutboundPerQueue, TimeSpan DeadLetters,
    TimeSpan SweepInterval, int BacklogWarningCount, TimeSpan BacklogWarningAge)
{
    public static RetentionSettings From(IConfiguration section)
    {
        var outbound = section.GetSection("Outbound");
        var perQueue = IntegrationSettings.List(outbound["RetentionPerQueue"] ?? "").Select(entry => entry.Split('=', 2))
            .ToDictionary(p => EnvelopeActors.QueueName(p[0].Trim()), p => IntegrationSettings.Duration(p.ElementAtOrDefault(1))
                ?? throw new InvalidOperationException($"Integration:Outbound:RetentionPerQueue: '{string.Join('=', p)}' is not " +
                    "queue=duration."));
        var settings = new RetentionSettings(
            IntegrationSettings.Duration(outbound["Retention"]) ?? TimeSpan.FromDays(7),
            perQueue,
            IntegrationSettings.Duration(section.GetSection("DeadLetters")["Retention"]) ?? TimeSpan.FromDays(30),
            IntegrationSettings.Duration(section["RetentionSweepInterval"]) ?? TimeSpan.FromMinutes(10),
            Math.Max(1, outbound.GetValue("BacklogWarningCount", 10_000)),
            IntegrationSettings.Duration(outbound["BacklogWarningAge"]) ?? TimeSpan.FromHours(1));
        // A zero bound would drop every message on arrival, a zero interval stop the host (PeriodicTimer refuses it).
        foreach (var (name, value) in perQueue.Select(q => ($"Outbound:RetentionPerQueue ({q.Key})", q.Value))
            .Append(("Outbound:Retention", settings.Outbound)).Append(("DeadLetters:Retention", settings.DeadLetters))
            .Append(("RetentionSweepInterval", settings.SweepInterval)))
            if (value <= TimeSpan.Zero) throw new InvalidOperationException($"Integration:{name} must be longer than zero, not {value:c}.");
        return settings;
    }

    /// <summary>The retention of one outbound queue (its configured name; dashes and case do not matter).</summary>
    public TimeSpan For(string queue) => OutboundPerQueue.GetValueOrDefault(EnvelopeActors.QueueName(queue), Outbound);
}
