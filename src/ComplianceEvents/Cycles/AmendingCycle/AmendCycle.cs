using ComplianceEvents.Infrastructure;
using FluentValidation;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Cycles.AmendingCycle;

/// <summary>Corrects a cycle's summit facts. Members stay as opened: assessments hang on them.</summary>
public sealed record AmendCycle(string CycleId, string SummitName, string HostCity, string HostCountry,
    DateOnly SummitStart, DateOnly SummitEnd, string? PreparedBy, string Reason, long? ExpectedVersion = null)
{
    public sealed class Validator : AbstractValidator<AmendCycle>
    {
        public Validator()
        {
            RuleFor(c => c.CycleId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
            RuleFor(c => c.SummitName).NotEmpty().MaximumLength(200);
            RuleFor(c => c.HostCity).NotEmpty().MaximumLength(100);
            RuleFor(c => c.HostCountry).NotEmpty().MaximumLength(100);
            RuleFor(c => c.SummitEnd).GreaterThanOrEqualTo(c => c.SummitStart).WithMessage("'Summit End' must be on or after 'Summit Start'.");
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(2000);
        }
    }
}

public static class AmendCycleHandler
{
    public static RuleViolation? Check(Cycle? cycle, AmendCycle cmd, Actor actor) =>
        cycle is null ? RuleViolation.NotFound("cycle-not-found", $"Cycle '{cmd.CycleId}' does not exist.", "cycleId")
        : actor.RequireDirector("amend a cycle");

    public static readonly ICommandSlice Slice = new CommandSlice<AmendCycle, Cycle, Nothing>
    {
        Stream = cmd => Cycle.StreamKey(cmd.CycleId),
        ExpectedVersion = cmd => cmd.ExpectedVersion,
        Decide = (cmd, d) => Check(d.State, cmd, d.Actor) is { } v ? v
            : Decision.Append(new CycleAmended(cmd.CycleId, cmd.SummitName.Trim(), cmd.HostCity.Trim(), cmd.HostCountry.Trim(),
                cmd.SummitStart, cmd.SummitEnd, cmd.PreparedBy?.Trim(), cmd.Reason.Trim())),
    };

    public static Task Handle(AmendCycle cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);
}

public static class AmendCycleEndpoint
{
    [WolverinePost("/cycles/{cycleId}/amendments", OperationId = "AmendCycle"), Tags("Cycles")]
    public static Task<IResult> Post(string cycleId, AmendCycle command, HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId, ExpectedVersion = http.IfMatch(command.ExpectedVersion) });
}
