using JasperFx.CommandLine;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ComplianceEvents.Infrastructure.Chain;

/// <summary>
/// What this process last learned about the chain: the last verification's report, the checkpoint it found intact (where the
/// next incremental verification starts), and a break, kept until a full verification finds the log intact again.
/// </summary>
public sealed class ChainStatus
{
    private readonly object _gate = new();
    private ChainReport? _last;
    private ChainBreak? _broken;
    private VerifiedCheckpoint? _verified;

    public ChainReport? Last { get { lock (_gate) return _last; } }
    public ChainBreak? Broken { get { lock (_gate) return _broken; } }
    public VerifiedCheckpoint? LastVerified { get { lock (_gate) return _verified; } }

    public void Report(ChainReport report, VerifiedCheckpoint? intactThrough)
    {
        lock (_gate)
        {
            _last = report;
            if (report.FirstBreak is { } first) _broken = first;
            else if (report.Mode == "full") _broken = null;
            if (intactThrough is not null) _verified = intactThrough;
        }
    }

    /// <summary>For tests that empty the whole database between cases: what this process verified before is gone by design.</summary>
    public void Forget()
    {
        lock (_gate) (_last, _broken, _verified) = (null, null, null);
    }
}

/// <summary>/health: unhealthy with the location while a verification has found the log broken; the chain's progress beside.</summary>
internal sealed class ChainHealth(ChainStatus status) : IStatusCheck
{
    public async Task<string?> Check(HealthProbe probe, IDictionary<string, object?> answer, CancellationToken ct)
    {
        await using var cmd = new Npgsql.NpgsqlCommand($"select coalesce(max(seq_id), 0) from {probe.Schema}.{EventChain.Rows}",
            probe.Connection);
        var chained = (long)(await cmd.ExecuteScalarAsync(ct))!;
        var last = status.Last;
        answer["chain"] = new
        {
            chainedThrough = chained,
            lag = Math.Max(0, probe.EventHighWaterMark - chained),
            lastVerification = last is null ? null : new { last.Mode, last.Intact, last.VerifiedAt, last.ChainedThrough },
        };
        return status.Broken is { } b ? $"the event log is not what was written: {b}" : null;
    }
}

/// <summary>The server's loops: extend the chain every Chain:IntervalMilliseconds; verify incrementally every Chain:VerifyMinutes and
/// fully at start and every Chain:FullVerifyMinutes. A failure (the database away) is logged and tried again next round.</summary>
internal sealed class ChainLoops(Chainer chainer, ChainVerifier verifier, ChainSettings settings, TimeProvider clock,
    ILogger<ChainLoops> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        if (settings.Interval <= TimeSpan.Zero) return;
        DateTimeOffset? lastFull = null, lastIncremental = null;
        using var timer = new PeriodicTimer(settings.Interval);
        do
        {
            try
            {
                await chainer.Extend(stop);
                var now = clock.GetUtcNow();
                var full = settings.FullVerifyEvery > TimeSpan.Zero && (lastFull is null || now - lastFull >= settings.FullVerifyEvery);
                var incremental = settings.VerifyEvery > TimeSpan.Zero &&
                    now - (lastIncremental ?? lastFull ?? now) >= settings.VerifyEvery;
                if (full || incremental)
                {
                    var report = await verifier.Verify(incremental: !full, stop);
                    if (full) lastFull = now;
                    lastIncremental = now;
                    if (report.FirstBreak is { } b) log.LogCritical("verify-log: the event log is not what was written: {Break}", b);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                log.LogWarning("The hash chain could not be extended or verified this round: {Error}", e.Message);
            }
        } while (await timer.WaitForNextTickAsync(stop));
    }
}

public static class VerifyLogEndpoint
{
    /// <summary>Extends the chain over what is settled, then verifies the log against it: from the start (mode=full, the default)
    /// or from the last checkpoint a verification found intact (mode=incremental). 200 with the report, intact or not.</summary>
    [WolverineGet("/log/verification", OperationId = "VerifyLog"), Tags("Operations"),
        ProducesResponseType<ChainReport>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(string? mode, Chainer chainer, ChainVerifier verifier, HttpContext http, CancellationToken ct)
    {
        if (mode is not (null or "full" or "incremental"))
            return Problems.Problem(http, StatusCodes.Status400BadRequest, "validation", "mode must be full or incremental",
                [new FieldError("mode", "one-of", "mode must be full or incremental")]);
        await chainer.Extend(ct);
        return Results.Ok(await verifier.Verify(mode == "incremental", ct));
    }
}

public sealed class VerifyLogInput : NetCoreInput
{
    [Description("Start from the last checkpoint a verification found intact instead of the first event")]
    public bool IncrementalFlag { get; set; }
}

[Description("Verify the whole event log against its signed hash chain (exit 0 only when intact)", Name = "verify-log")]
public sealed class VerifyLogCommand : JasperFxAsyncCommand<VerifyLogInput>
{
    public VerifyLogCommand() => Usage("Verify the event log");

    public override async Task<bool> Execute(VerifyLogInput input)
    {
        using var host = await CliHost.Start(input);
        await host.Services.GetRequiredService<Chainer>().Extend(default);
        var report = await host.Services.GetRequiredService<ChainVerifier>().Verify(input.IncrementalFlag, default);
        var summary = $"{report.Mode}: {report.EventsChecked} events checked from sequence {report.FromSequence} through " +
            $"{report.ChainedThrough}, " +
            $"{report.CheckpointsChecked} checkpoints, {report.Unchained} not chained yet";
        if (report.Intact)
        {
            await CliHost.Out.WriteLineAsync("INTACT " + summary);
            return true;
        }
        await Console.Error.WriteLineAsync($"BROKEN {report.FirstBreak} ({report.Breaks.Count} break(s); {summary})");
        foreach (var b in report.Breaks) await CliHost.Out.WriteLineAsync(b.ToString());
        return false;
    }
}
