namespace ComplianceEvents.Reports.CheckingDrift;

/// <summary>
/// Runs the drift check when the host starts and then every <c>ReadModels:DriftCheckMinutes</c> (default 60; 0 turns
/// the schedule off), and keeps the last answer for /health.
/// </summary>
public sealed class DriftMonitor(ReadModelDrift drift, IConfiguration configuration, ILogger<DriftMonitor> logger) : BackgroundService
{
    private readonly SemaphoreSlim _one = new(1, 1);

    /// <summary>The last check's answer, or null before the first check has finished.</summary>
    public DriftReport? Last { get; private set; }

    public async Task<DriftReport> RunNow(CancellationToken ct = default)
    {
        await _one.WaitAsync(ct);
        try
        {
            var report = await drift.Check(null, ct);
            if (!report.Clean)
                logger.LogError("Read models differ from their events: {Drifts}", string.Join("; ", report.Drifts));
            return Last = report;
        }
        finally { _one.Release(); }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var minutes = configuration.GetValue("ReadModels:DriftCheckMinutes", 60);
        if (minutes <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(minutes));
        do
        {
            try { await RunNow(stoppingToken); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "The drift check could not run");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
