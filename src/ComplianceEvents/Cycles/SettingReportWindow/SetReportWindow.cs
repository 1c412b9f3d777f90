using ComplianceEvents.Infrastructure;
using FluentValidation;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Cycles.SettingReportWindow;

/// <summary>Sets the interim or final compliance window; changing a window already set needs a reason.</summary>
public sealed record SetReportWindow(string CycleId, ReportKind Kind, DateOnly Start, DateOnly Cutoff,
    string? Reason = null, long? ExpectedVersion = null)
{
    public sealed class Validator : AbstractValidator<SetReportWindow>
    {
        public Validator()
        {
            RuleFor(c => c.CycleId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
            RuleFor(c => c.Kind).IsInEnum();
            RuleFor(c => c.Cutoff).GreaterThanOrEqualTo(c => c.Start).WithMessage("'Cutoff' must be on or after 'Start'.");
            RuleFor(c => c.Reason).MaximumLength(2000);
        }
    }
}

public static class SetReportWindowHandler
{
    public static RuleViolation? Check(Cycle? cycle, SetReportWindow cmd, Actor actor)
    {
        if (cycle is null) return RuleViolation.NotFound("cycle-not-found", $"Cycle '{cmd.CycleId}' does not exist.", "cycleId");
        if (actor.RequireDirector("set a report window") is { } forbidden) return forbidden;
        if (cmd.Start < cycle.SummitStart)
            return RuleViolation.Rejected("window-before-summit",
                $"The window cannot start ({cmd.Start:yyyy-MM-dd}) before the summit ({cycle.SummitStart:yyyy-MM-dd}).", "start");
        var existing = cycle.Window(cmd.Kind);
        if (existing is not null && string.IsNullOrWhiteSpace(cmd.Reason))
            return RuleViolation.Rejected("reason-required", $"The {cmd.Kind} window is already set; changing it needs a reason.", "reason");
        if (existing == new ReportWindow(cmd.Kind, cmd.Start, cmd.Cutoff))
            return RuleViolation.Conflict("no-change", $"The {cmd.Kind} window is already {cmd.Start:yyyy-MM-dd} to {cmd.Cutoff:yyyy-MM-dd}.");
        var other = cycle.Window(cmd.Kind == ReportKind.Interim ? ReportKind.Final : ReportKind.Interim);
        DateOnly? interimCutoff = cmd.Kind == ReportKind.Interim ? cmd.Cutoff : other?.Cutoff;
        DateOnly? finalCutoff = cmd.Kind == ReportKind.Final ? cmd.Cutoff : other?.Cutoff;
        if (interimCutoff is { } i && finalCutoff is { } f && f < i)
            return RuleViolation.Rejected("final-before-interim", $"The final cutoff ({f:yyyy-MM-dd}) cannot precede the interim cutoff ({i:yyyy-MM-dd}).", "cutoff");
        return null;
    }

    public static ReportWindowSet Decide(SetReportWindow cmd) => new(cmd.CycleId, cmd.Kind, cmd.Start, cmd.Cutoff, cmd.Reason?.Trim());

    public static readonly ICommandSlice Slice = new CommandSlice<SetReportWindow, Cycle, Nothing>
    {
        Stream = cmd => Cycle.StreamKey(cmd.CycleId),
        ExpectedVersion = cmd => cmd.ExpectedVersion,
        Decide = (cmd, d) => Check(d.State, cmd, d.Actor) is { } v ? v : Decision.Append(Decide(cmd)),
    };

    public static Task Handle(SetReportWindow cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);
}

public static class SetReportWindowEndpoint
{
    [WolverinePut("/cycles/{cycleId}/windows/{kind}", OperationId = "SetReportWindow"), Tags("Cycles")]
    public static Task<IResult> Put(string cycleId, ReportKind kind, SetReportWindow command, HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId, Kind = kind, ExpectedVersion = http.IfMatch(command.ExpectedVersion) });
}
