using System.Globalization;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports.AsOf;
using ComplianceEvents.Reports.Rendering;
using JasperFx.CommandLine;
using Marten;

namespace ComplianceEvents.Reports.GettingReport;

public sealed class ReportInput : NetCoreInput
{
    [Description("Cycle id, e.g. 2024-apulia")]
    public string Cycle { get; set; } = "";

    [Description("interim or final: restricts evidence to that window; without it every approved score and current evidence item is shown")]
    public string? KindFlag { get; set; }

    [Description("Regenerate this published edition of --kind (byte-identical to what was published)")]
    public int? EditionFlag { get; set; }

    [Description("What the system knew at this global event sequence")]
    public long? AsOfSequenceFlag { get; set; }

    [Description("What the system knew at this time (ISO 8601, UTC unless an offset is given)")]
    public string? AsOfTimeFlag { get; set; }

    [Description("md (default, canonical), html, csv (Table B) or json")]
    public string FormatFlag { get; set; } = "md";

    [Description("Write to this file instead of stdout")]
    public string? OutFlag { get; set; }
}

[Description("Render a cycle's report as of now, a sequence, a time, or a published edition", Name = "report")]
public sealed class ReportCommand : JasperFxAsyncCommand<ReportInput>
{
    public ReportCommand() => Usage("Render a report").Arguments(x => x.Cycle);

    public override async Task<bool> Execute(ReportInput input)
    {
        var (request, problem) = ReportRequest.Parse(input.Cycle, input.KindFlag, input.EditionFlag, input.AsOfSequenceFlag,
            input.AsOfTimeFlag, input.FormatFlag);
        if (request is null) return Fail(problem!);
        using var host = await CliHost.Start(input);
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var (text, refusal) = await request.Render(session, host.Services.GetRequiredService<LogHorizon>(), default);
        if (text is null) return Fail(refusal!.Message);
        if (input.OutFlag is { } path) await File.WriteAllTextAsync(path, text);
        else await CliHost.Out.WriteAsync(text);
        return true;
    }

    private static bool Fail(string message)
    {
        Console.Error.WriteLine($"report: {message}");
        return false;
    }
}

/// <summary>A report request as both the CLI and HTTP take it, checked before anything is read.</summary>
public sealed record ReportRequest(string CycleId, ReportKind? Kind, int? Edition, AsOfPoint Point, ReportFormat Format)
{
    /// <summary>The request, or the first problem naming the option and the rule.</summary>
    public static (ReportRequest? Request, string? Problem) Parse(string cycle, string? kind, int? edition, long? sequence, string? time,
        string? format)
    {
        ReportKind? k = null;
        if (kind is not null)
        {
            if (!Enum.TryParse<ReportKind>(kind, true, out var parsed) || int.TryParse(kind, out _)) return Error($"--kind must be " +
                $"interim or final, not '{kind}'");
            k = parsed;
        }
        if (new[] { edition is not null, sequence is not null, time is not null }.Count(x => x) > 1)
            return Error("give at most one of --edition, --as-of-sequence, --as-of-time");
        if (edition is not null && k is null) return Error("--edition needs --kind");
        if (edition is < 1) return Error("--edition is 1 or more");
        DateTimeOffset? t = null;
        if (time is not null)
        {
            if (!DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsedTime))
                return Error($"--as-of-time '{time}' is not an ISO 8601 time");
            t = parsedTime;
        }
        if (!Enum.TryParse<ReportFormat>(format ?? "md", true, out var f) || int.TryParse(format, out _)) return Error($"--format must " +
            $"be md, html, csv or json, not '{format}'");
        return (new ReportRequest(cycle, k, edition, new AsOfPoint(sequence, t), f), null);
    }

    private static (ReportRequest?, string?) Error(string message) => (null, message);

    public RuleViolation NoSuchEdition() =>
        RuleViolation.NotFound("edition-not-found", $"cycle '{CycleId}' has no {Kind.ToString()!.ToLowerInvariant()} edition {Edition}",
            "edition");

    /// <summary>The rendered report, or why not: not found (404), a point the log has not settled (409, 503).</summary>
    public async Task<(string? Text, RuleViolation? Refusal)> Render(IQuerySession session, LogHorizon horizon, CancellationToken ct)
    {
        ReportModel? model;
        if (Edition is { } n)
        {
            var edition = await Reporting.Edition(session, CycleId, Kind!.Value, n, ct);
            if (edition is null) return (null, NoSuchEdition());
            model = edition.Value.Model;
        }
        else
        {
            if (await Settlement.Check(horizon, Point, ct) is { } unsettled) return (null, unsettled);
            model = await Reporting.AsOf(session, CycleId, Kind, Point, ct);
        }
        return model is null
            ? (null, RuleViolation.NotFound("cycle-not-found", $"cycle '{CycleId}' does not exist (as of {Point})", "cycleId"))
            : (ReportFormats.Render(model, Format), null);
    }
}
