using ComplianceEvents.Integration;
using Microsoft.Extensions.Configuration;

namespace ComplianceEvents.IntegrationTests.Integration.BoundingQueues;

/// <summary>The retention settings as docs/integration.md "Configuration" states them: defaults, per-queue entries, a bad entry.</summary>
public sealed class RetentionSettingsTests
{
    private static IntegrationSettings From(params (string Key, string Value)[] values) =>
        IntegrationSettings.From(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v =>
            new KeyValuePair<string, string?>("Integration:" + v.Key, v.Value))).Build());

    [Fact]
    public void unset_retention_is_the_documented_defaults()
    {
        var retention = From().Retention;
        Assert.Equal(TimeSpan.FromDays(7), retention.For("compliance-events"));
        Assert.Equal(TimeSpan.FromDays(30), retention.DeadLetters);
        Assert.Equal(TimeSpan.FromMinutes(10), retention.SweepInterval);
        Assert.Equal(10_000, retention.BacklogWarningCount);
        Assert.Equal(TimeSpan.FromHours(1), retention.BacklogWarningAge);
    }

    [Fact]
    public void a_queue_named_in_retention_per_queue_keeps_its_own_bound_whatever_its_spelling()
    {
        var retention = From(("Outbound:Retention", "1.00:00:00"),
            ("Outbound:RetentionPerQueue", "notifications=02:00:00, Audit-Mirror=30.00:00:00")).Retention;
        Assert.Equal(TimeSpan.FromHours(2), retention.For("notifications"));
        Assert.Equal(TimeSpan.FromDays(30), retention.For("audit_mirror"));
        Assert.Equal(TimeSpan.FromDays(1), retention.For("compliance-events"));
    }

    [Fact]
    public void a_per_queue_entry_without_a_duration_is_refused_naming_the_setting()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => From(("Outbound:RetentionPerQueue", "notifications")));
        Assert.Contains("Integration:Outbound:RetentionPerQueue", refused.Message);
        Assert.Contains("notifications", refused.Message);
    }

    [Theory]
    [InlineData("Outbound:Retention", "00:00:00")]
    [InlineData("DeadLetters:Retention", "-01:00:00")]
    [InlineData("RetentionSweepInterval", "00:00:00")]
    public void a_bound_or_interval_of_zero_is_refused_naming_the_setting(string key, string value)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => From((key, value)));
        Assert.Contains($"Integration:{key} must be longer than zero", refused.Message);
    }
}
