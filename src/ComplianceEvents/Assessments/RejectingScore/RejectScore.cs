using ComplianceEvents.Infrastructure;
using FluentValidation;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Assessments.RejectingScore;

/// <summary>Refuses the pending proposal with a reason; an earlier approved score, if any, stays in force.</summary>
public sealed record RejectScore(string CycleId, string CommitmentId, string MemberCode, string ProposalId, string Reason,
    long? ExpectedVersion = null) : IAssessmentCommand
{
    public sealed class Validator : AbstractValidator<RejectScore>
    {
        public Validator()
        {
            this.AddressRules();
            RuleFor(c => c.ProposalId).NotEmpty();
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(2000);
        }
    }
}

public static class RejectScoreHandler
{
    public static Decision Decide(RejectScore cmd, Cell cell) =>
        Reviews.Check(cell, cmd.ProposalId, "reject") is { } v ? v
            : Decision.Append([new ScoreRejected(cmd.ProposalId, cmd.Reason.Trim(), cell.Actor.UserId, cell.Now)], [], cmd.ProposalId);

    public static readonly ICommandSlice Slice = Cells.Slice<RejectScore>(Decide);

    public static Task Handle(RejectScore cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);
}

public static class RejectScoreEndpoint
{
    [WolverinePost("/cycles/{cycleId}/commitments/{commitmentId}/assessments/{memberCode}/proposals/{proposalId}/rejection", OperationId = "RejectScore"), Tags("Assessments")]
    public static Task<IResult> Post(string cycleId, string commitmentId, string memberCode, string proposalId, RejectScore command,
        HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId, CommitmentId = commitmentId, MemberCode = memberCode, ProposalId = proposalId,
            ExpectedVersion = http.IfMatch(command.ExpectedVersion) });
}
