using ComplianceEvents.Infrastructure;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Commitments.RenumberingCommitment;

/// <summary>Report-local numbers change (DESIGN 1.1); the commitment's id and stream do not.</summary>
public sealed record RenumberCommitment(string CycleId, string CommitmentId, int Number, string Reason, long? ExpectedVersion = null)
{
    public sealed class Validator : AbstractValidator<RenumberCommitment>
    {
        public Validator()
        {
            RuleFor(c => c.CycleId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
            RuleFor(c => c.CommitmentId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
            RuleFor(c => c.Number).GreaterThan(0);
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(2000);
        }
    }
}

public static class RenumberCommitmentHandler
{
    public static RuleViolation? Check(RenumberCommitment cmd, Commitment? commitment, bool numberTaken, Actor actor)
    {
        if (commitment is null) return Lookups.CommitmentNotFound(cmd.CycleId, cmd.CommitmentId);
        if (actor.RequireDirector("renumber a commitment") is { } forbidden) return forbidden;
        if (commitment.Number == cmd.Number) return RuleViolation.Conflict("no-change", $"The commitment already has number {cmd.Number}.", "number");
        return numberTaken ? RuleViolation.Conflict("number-taken", $"Another commitment of {cmd.CycleId} already has number {cmd.Number}.", "number") : null;
    }

    public static readonly ICommandSlice Slice = new CommandSlice<RenumberCommitment, Commitment, bool>
    {
        Stream = cmd => Commitment.StreamKey(cmd.CycleId, cmd.CommitmentId),
        ExpectedVersion = cmd => cmd.ExpectedVersion,
        Load = (cmd, reads) => Lookups.NumberTaken(reads, cmd.CycleId, cmd.Number),
        Decide = (cmd, d) => Check(cmd, d.State, d.Loaded, d.Actor) is { } v ? v
            : Decision.Append(new CommitmentRenumbered(cmd.CycleId, cmd.CommitmentId, d.State!.Number, cmd.Number, cmd.Reason.Trim())),
    };

    public static Task Handle(RenumberCommitment cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);
}

public static class RenumberCommitmentEndpoint
{
    [WolverinePost("/cycles/{cycleId}/commitments/{commitmentId}/renumbering", OperationId = "RenumberCommitment"), Tags("Commitments")]
    public static Task<IResult> Post(string cycleId, string commitmentId, RenumberCommitment command,
        HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId, CommitmentId = commitmentId,
            ExpectedVersion = http.IfMatch(command.ExpectedVersion) });
}
