using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Reports.CheckingDrift;

/// <summary>/health's read-model check: the last drift check's answer (DriftMonitor); unhealthy, naming each document, when any
/// drifted.</summary>
public sealed class DriftHealth(DriftMonitor monitor) : IStatusCheck
{
    public Task<string?> Check(HealthProbe probe, IDictionary<string, object?> answer, CancellationToken ct)
    {
        var last = monitor.Last;
        answer["readModels"] = last is null
            ? new { status = "not checked yet", drifted = 0, checkedAt = (DateTimeOffset?)null }
            : new { status = last.Clean ? "match their events" : "drifted", drifted = last.Drifts.Count,
                checkedAt = (DateTimeOffset?)last.CheckedAt };
        return Task.FromResult(last is { Clean: false }
            ? $"read models differ from their events (run `repair`): " +
                $"{string.Join("; ", last.Drifts.Take(10))}{(last.Drifts.Count > 10 ? $"; and {last.Drifts.Count - 10} more" : "")}"
            : null);
    }
}
