using ComplianceEvents.Infrastructure;
using FluentValidation;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Assessments.ReturningProposal;

/// <summary>Sends the pending proposal back for changes; the analyst may then propose again.</summary>
public sealed record ReturnProposal(string CycleId, string CommitmentId, string MemberCode, string ProposalId, string Reason,
    long? ExpectedVersion = null) : IAssessmentCommand
{
    public sealed class Validator : AbstractValidator<ReturnProposal>
    {
        public Validator()
        {
            this.AddressRules();
            RuleFor(c => c.ProposalId).NotEmpty();
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(2000);
        }
    }
}

public static class ReturnProposalHandler
{
    public static Decision Decide(ReturnProposal cmd, Cell cell) =>
        Reviews.Check(cell, cmd.ProposalId, "return") is { } v ? v
            : Decision.Append([new ProposalReturned(cmd.ProposalId, cmd.Reason.Trim(), cell.Actor.UserId, cell.Now)], [], cmd.ProposalId);

    public static readonly ICommandSlice Slice = Cells.Slice<ReturnProposal>(Decide);

    public static Task Handle(ReturnProposal cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);
}

public static class ReturnProposalEndpoint
{
    [WolverinePost("/cycles/{cycleId}/commitments/{commitmentId}/assessments/{memberCode}/proposals/{proposalId}/return", OperationId = "ReturnProposal"), Tags("Assessments")]
    public static Task<IResult> Post(string cycleId, string commitmentId, string memberCode, string proposalId, ReturnProposal command,
        HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId, CommitmentId = commitmentId, MemberCode = memberCode, ProposalId = proposalId,
            ExpectedVersion = http.IfMatch(command.ExpectedVersion) });
}
