using ComplianceEvents.Infrastructure;
using FluentValidation;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Commitments.PublishingRubric;

/// <summary>Publishes rubric version 1 of a commitment; later versions come from <c>ReviseRubric</c>.</summary>
public sealed record PublishRubric(string CycleId, string CommitmentId, RubricInput Rubric, long? ExpectedVersion = null)
{
    public sealed class Validator : AbstractValidator<PublishRubric>
    {
        public Validator()
        {
            RuleFor(c => c.CycleId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
            RuleFor(c => c.CommitmentId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
            RuleFor(c => c.Rubric).NotNull().SetValidator(new RubricInput.Validator());
        }
    }
}

public static class PublishRubricHandler
{
    public static RuleViolation? Check(PublishRubric cmd, Commitment? commitment, Actor actor)
    {
        if (commitment is null) return Lookups.CommitmentNotFound(cmd.CycleId, cmd.CommitmentId);
        if (commitment.RequireReviewer(actor, "publish its rubric") is { } forbidden) return forbidden;
        if (commitment.CurrentRubric is not null)
            return RuleViolation.Conflict("rubric-exists", $"Commitment {cmd.CommitmentId} already has rubric version {commitment.CurrentRubric.Version}; revise it instead.");
        return cmd.Rubric.CheckAgainst(commitment);
    }

    public static readonly ICommandSlice Slice = new CommandSlice<PublishRubric, Commitment, Nothing>
    {
        Stream = cmd => Commitment.StreamKey(cmd.CycleId, cmd.CommitmentId),
        ExpectedVersion = cmd => cmd.ExpectedVersion,
        Decide = (cmd, d) => Check(cmd, d.State, d.Actor) is { } v ? v
            : Decision.Append(new RubricPublished(cmd.CycleId, cmd.CommitmentId, cmd.Rubric.ToRubric(1))),
    };

    public static Task Handle(PublishRubric cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);
}

public static class PublishRubricEndpoint
{
    [WolverinePost("/cycles/{cycleId}/commitments/{commitmentId}/rubrics", OperationId = "PublishRubric"), Tags("Commitments")]
    public static Task<IResult> Post(string cycleId, string commitmentId, PublishRubric command, HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId, CommitmentId = commitmentId,
            ExpectedVersion = http.IfMatch(command.ExpectedVersion) });
}
