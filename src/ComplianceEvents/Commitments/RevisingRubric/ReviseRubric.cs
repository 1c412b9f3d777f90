using ComplianceEvents.Infrastructure;
using FluentValidation;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Commitments.RevisingRubric;

/// <summary>
/// A new rubric version. DESIGN 1.2 rule 8: it never rescores anything; approvals under older versions
/// stay valid and are listed as resting on an outdated rubric.
/// </summary>
public sealed record ReviseRubric(string CycleId, string CommitmentId, RubricInput Rubric, string Reason, long? ExpectedVersion = null)
{
    public sealed class Validator : AbstractValidator<ReviseRubric>
    {
        public Validator()
        {
            RuleFor(c => c.CycleId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
            RuleFor(c => c.CommitmentId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
            RuleFor(c => c.Rubric).NotNull().SetValidator(new RubricInput.Validator());
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(2000);
        }
    }
}

public static class ReviseRubricHandler
{
    public static RuleViolation? Check(ReviseRubric cmd, Commitment? commitment, Actor actor)
    {
        if (commitment is null) return Lookups.CommitmentNotFound(cmd.CycleId, cmd.CommitmentId);
        if (commitment.RequireReviewer(actor, "revise its rubric") is { } forbidden) return forbidden;
        if (commitment.CurrentRubric is null)
            return RuleViolation.Rejected("no-rubric", $"Commitment {cmd.CommitmentId} has no rubric yet; publish version 1 first.");
        return cmd.Rubric.CheckAgainst(commitment);
    }

    /// <summary>The next version after the commitment's current one (<see cref="Check"/> passed).</summary>
    public static RubricRevised Decide(ReviseRubric cmd, Commitment commitment)
    {
        var previous = commitment.CurrentRubric!.Version;
        return new RubricRevised(cmd.CycleId, cmd.CommitmentId, cmd.Rubric.ToRubric(previous + 1), previous, cmd.Reason.Trim());
    }

    public static readonly ICommandSlice Slice = new CommandSlice<ReviseRubric, Commitment, Nothing>
    {
        Stream = cmd => Commitment.StreamKey(cmd.CycleId, cmd.CommitmentId),
        ExpectedVersion = cmd => cmd.ExpectedVersion,
        Decide = (cmd, d) => Check(cmd, d.State, d.Actor) is { } v ? v : Decision.Append(Decide(cmd, d.State!)),
    };

    public static Task Handle(ReviseRubric cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);
}

public static class ReviseRubricEndpoint
{
    [WolverinePost("/cycles/{cycleId}/commitments/{commitmentId}/rubrics/revisions", OperationId = "ReviseRubric"), Tags("Commitments")]
    public static Task<IResult> Post(string cycleId, string commitmentId, ReviseRubric command, HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId, CommitmentId = commitmentId,
            ExpectedVersion = http.IfMatch(command.ExpectedVersion) });
}
