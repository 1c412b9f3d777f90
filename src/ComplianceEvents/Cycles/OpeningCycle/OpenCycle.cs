using ComplianceEvents.Infrastructure;
using FluentValidation;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Cycles.OpeningCycle;

public sealed record OpenCycle(string CycleId, string SummitName, string HostCity, string HostCountry,
    DateOnly SummitStart, DateOnly SummitEnd, IReadOnlyList<Member> Members, string? PreparedBy = null)
{
    public sealed class Validator : AbstractValidator<OpenCycle>
    {
        public Validator()
        {
            RuleFor(c => c.CycleId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
            RuleFor(c => c.SummitName).NotEmpty().MaximumLength(200);
            RuleFor(c => c.HostCity).NotEmpty().MaximumLength(100);
            RuleFor(c => c.HostCountry).NotEmpty().MaximumLength(100);
            RuleFor(c => c.SummitEnd).GreaterThanOrEqualTo(c => c.SummitStart)
                .WithMessage("'Summit End' must be on or after 'Summit Start'.");
            RuleFor(c => c.Members).NotEmpty();
            RuleFor(c => c.Members).Must(m => m is null || m.Select(x => x.Code).Distinct(StringComparer.OrdinalIgnoreCase).Count() == m.Count)
                .WithErrorCode("UniqueMemberCodes").WithMessage("Member codes must be unique within a cycle.");
            RuleForEach(c => c.Members).ChildRules(m =>
            {
                m.RuleFor(x => x.Code).NotEmpty().Matches("^[A-Z]{2,3}$").WithMessage("A member code is 2 or 3 capital letters, e.g. CA, EU, UK.");
                m.RuleFor(x => x.Name).NotEmpty().MaximumLength(100);
            });
        }
    }
}

public static class OpenCycleHandler
{
    public static RuleViolation? Check(Cycle? existing, OpenCycle cmd, Actor actor) =>
        actor.RequireDirector("open a cycle")
        ?? (existing is null ? null : RuleViolation.Conflict("cycle-exists", $"Cycle '{cmd.CycleId}' already exists.", "cycleId"));

    public static CycleOpened Decide(OpenCycle cmd) =>
        new(cmd.CycleId, cmd.SummitName.Trim(), cmd.HostCity.Trim(), cmd.HostCountry.Trim(), cmd.SummitStart, cmd.SummitEnd,
            cmd.Members.Select(m => new Member(m.Code.Trim(), m.Name.Trim())).ToList(), cmd.PreparedBy?.Trim());

    public static readonly ICommandSlice Slice = new CommandSlice<OpenCycle, Cycle, Nothing>
    {
        Stream = cmd => Cycle.StreamKey(cmd.CycleId ?? ""),
        Decide = (cmd, d) => Check(d.State, cmd, d.Actor) is { } v ? v : Decision.Append(Decide(cmd)),
    };

    public static Task Handle(OpenCycle cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);
}

public static class OpenCycleEndpoint
{
    [WolverinePost("/cycles", OperationId = "OpenCycle"), Tags("Cycles")]
    public static Task<IResult> Post(OpenCycle command, HttpContext http, CommandRunner runner) =>
        http.Send(runner, command, r => $"/cycles/{command.CycleId}");
}
