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

    public static readonly ICommandSlice Slice = new PublishSlice();

    public static Task Handle(PublishReport cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);

    /// <summary>
    /// The edition is pinned at a settled point of the log (<see cref="LogHorizon"/>): every event at or below the pin is
    /// committed before the edition is rendered, so regenerating "as of the pin" later gives the same bytes, whatever
    /// was being written while it was published (issue 21). The pin and the cycle's state at it are read before the
    /// command's own round trip (they cannot change any more); the decision then runs on the cycle stream as every other.
    /// </summary>
    private sealed class PublishSlice : ICommandSlice
    {
        public Type CommandType => typeof(PublishReport);
        public string StreamKey(object command) => Cycle.StreamKey(((PublishReport)command).CycleId);

        public async Task<CommandResult> Run(CommandRunner runner, object command, CommandContext context, CancellationToken ct)
        {
            var cmd = (PublishReport)command;
            if (runner.Admit(cmd, context) is { } refused) return refused;
            await using var session = runner.Store.QuerySession();
            // The cheap refusals first: a forbidden or impossible publication never folds the cycle.
            if (Check(cmd, await session.LoadAsync<Cycle>(Cycle.StreamKey(cmd.CycleId), ct), context.Actor!) is { } early)
                return CommandResult.Refused(early);
            SettledPoint pin;
            try { pin = await runner.Horizon.Settle(ct); }
            catch (LogNotSettledException e) { return CommandResult.Refused(RuleViolation.Unavailable("log-not-settled", e.Message)); }
            var state = await CycleHistory.StateAt(session, cmd.CycleId, new AsOfPoint(pin.Sequence), ct);
            return await runner.Run(new CommandSlice<PublishReport, Cycle, Nothing>
            {
                Stream = c => Cycle.StreamKey(c.CycleId),
                Decide = (c, d) => Decide(c, d, state, pin),
            }, cmd, context, ct);
        }

        public Decision Decide(object command, object? state, IReads reads, Actor actor, DateTimeOffset now) =>
            RuleViolation.Conflict("step-unsupported", "Publishing is not an import step.");

        private static Decision Decide(PublishReport cmd, DecisionInput<Cycle, Nothing> d, CycleState state, SettledPoint pin)
        {
            if (Check(cmd, d.State, d.Actor) is { } v) return v;
            var edition = d.State!.Editions.Count(e => e.Kind == cmd.Kind) + 1;
            var reason = edition > 1 ? cmd.Reason!.Trim() : null;
            var model = ReportBuilder.Build(state, cmd.Kind, edition, reason);
            // The window was set after the pin (a write that committed while this command waited): not yet publishable.
            if (model.Window is not { } window)
                return RuleViolation.Rejected("no-window",
                    $"The {cmd.Kind} window of {cmd.CycleId} is not set as of sequence {pin.Sequence}.", "kind");
            return Decision.Append([new ReportPublished(cmd.CycleId, cmd.Kind, edition, window.Start, window.Cutoff, pin.Sequence,
                Reporting.Digest(MarkdownRenderer.Render(model)), d.Actor.UserId, d.Now, reason)], [],
                    $"{cmd.Kind.ToString().ToLowerInvariant()}:{edition}");
        }
    }
}

public static class PublishReportEndpoint
{
    [WolverinePost("/cycles/{cycleId}/reports/{kind}/editions", OperationId = "PublishReport"), Tags("Reports")]
    public static Task<IResult> Post(string cycleId, ReportKind kind, PublishReport command, HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId, Kind = kind }, r
            => $"/cycles/{cycleId}/report?kind={kind.ToString().ToLowerInvariant()}&edition={r.ResourceId!.Split(':')[1]}");
}
