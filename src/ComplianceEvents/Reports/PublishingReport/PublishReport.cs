using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports.AsOf;
using ComplianceEvents.Reports.Rendering;
using FluentValidation;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Reports.PublishingReport;

/// <summary>Publishes the next edition of the interim or final report; an edition after the first is a correction and needs a reason.</summary>
public sealed record PublishReport(string CycleId, ReportKind Kind, string? Reason = null)
{
    public sealed class Validator : AbstractValidator<PublishReport>
    {
        public Validator()
        {
            RuleFor(c => c.CycleId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
            RuleFor(c => c.Kind).IsInEnum();
            RuleFor(c => c.Reason).MaximumLength(2000);
        }
    }
}

public static class PublishReportHandler
{
    public static RuleViolation? Check(PublishReport cmd, Cycle? cycle, Actor actor)
    {
        if (cycle is null) return RuleViolation.NotFound("cycle-not-found", $"Cycle '{cmd.CycleId}' does not exist.", "cycleId");
        if (!actor.HasRole(Roles.Editor) && !actor.IsDirector)
            return RuleViolation.Forbidden("role-required", "Publishing a report needs the editor (chair) or compliance director role.");
        if (cycle.Window(cmd.Kind) is null)
            return RuleViolation.Rejected("no-window", $"The {cmd.Kind} window of {cmd.CycleId} is not set.", "kind");
        var corrects = cycle.Editions.Any(e => e.Kind == cmd.Kind);
        return corrects && string.IsNullOrWhiteSpace(cmd.Reason)
            ? RuleViolation.Rejected("reason-required", $"A {cmd.Kind} edition exists; a new edition is a correction and needs a " +
                $"reason.", "reason")
            : null;
    }

    /// <summary>
    /// The edition is pinned at a settled point of the log (<see cref="LogHorizon"/>): every event at or below the pin is
    /// committed before the edition is rendered, so regenerating "as of the pin" later gives the same bytes, whatever
    /// was being written while it was published (issue 21).
    /// </summary>
    public static async Task<CommandResult> Handle(PublishReport cmd, IMessageContext context, CommandRunner runner, LogHorizon horizon,
        CancellationToken ct)
    {
        SettledPoint pin;
        try { pin = await horizon.Settle(ct); }
        catch (LogNotSettledException e) { return CommandResult.Refused(RuleViolation.Unavailable("log-not-settled", e.Message)); }
        return await runner.Run<PublishReport, Cycle>(cmd, context, Cycle.StreamKey(cmd.CycleId), null, async ctx =>
        {
            if (Check(cmd, ctx.State, ctx.Actor) is { } v) return v;
            var state = await CycleHistory.StateAt(ctx.Reader, cmd.CycleId, new AsOfPoint(pin.Sequence), ct);
            var edition = ctx.State!.Editions.Count(e => e.Kind == cmd.Kind) + 1;
            var reason = edition > 1 ? cmd.Reason!.Trim() : null;
            var model = ReportBuilder.Build(state, cmd.Kind, edition, reason);
            // The window was set after the pin (a write that committed while this command waited): not yet publishable.
            if (model.Window is not { } window)
                return RuleViolation.Rejected("no-window",
                    $"The {cmd.Kind} window of {cmd.CycleId} is not set as of sequence {pin.Sequence}.", "kind");
            return Decision.Append([new ReportPublished(cmd.CycleId, cmd.Kind, edition, window.Start, window.Cutoff, pin.Sequence,
                Reporting.Digest(MarkdownRenderer.Render(model)), ctx.Actor.UserId, ctx.Now, reason)], [],
                    $"{cmd.Kind.ToString().ToLowerInvariant()}:{edition}");
        }, ct);
    }
}

public static class PublishReportEndpoint
{
    [WolverinePost("/cycles/{cycleId}/reports/{kind}/editions", OperationId = "PublishReport"), Tags("Reports")]
    public static Task<IResult> Post(string cycleId, ReportKind kind, PublishReport command, HttpContext http, IMessageBus bus) =>
        http.Dispatch(bus, command with { CycleId = cycleId, Kind = kind }, r
            => $"/cycles/{cycleId}/report?kind={kind.ToString().ToLowerInvariant()}&edition={r.ResourceId!.Split(':')[1]}");
}
