using ComplianceEvents.Infrastructure;
using FluentValidation;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Assessments.ApprovingScore;

/// <summary>Accepts the pending proposal: only approved scores count in reports.</summary>
public sealed record ApproveScore(string CycleId, string CommitmentId, string MemberCode, string ProposalId, string? Comment = null,
    long? ExpectedVersion = null) : IAssessmentCommand
{
    public sealed class Validator : AbstractValidator<ApproveScore>
    {
        public Validator()
        {
            this.AddressRules();
            RuleFor(c => c.ProposalId).NotEmpty();
            RuleFor(c => c.Comment).MaximumLength(2000);
        }
    }
}

public static class ApproveScoreHandler
{
    public static Decision Decide(ApproveScore cmd, Cell cell)
    {
        if (Reviews.Check(cell, cmd.ProposalId, "approve") is { } v) return v;
        if (!cell.Commitment.IsApplicable(cmd.MemberCode))
            return RuleViolation.Rejected("member-not-applicable", $"Commitment {cmd.CommitmentId} no longer applies to {cmd.MemberCode}.", "memberCode");
        var proposal = Reviews.Proposal(cell, cmd.ProposalId);
        var withdrawn = proposal.EvidenceIds.Where(id => cell.State!.FindEvidence(id)?.Withdrawn == true).ToList();
        if (withdrawn.Count > 0)
            return RuleViolation.Rejected("evidence-withdrawn",
                $"Proposal {cmd.ProposalId} rests on withdrawn evidence ({string.Join(", ", withdrawn)}); return it for changes.", "proposalId");
        return Decision.Append([new ScoreApproved(proposal.ProposalId, proposal.Score, proposal.RubricVersion, proposal.EvidenceIds,
            proposal.ProposedBy, cell.Actor.UserId, cell.Now, cmd.Comment?.Trim())], [], proposal.ProposalId);
    }

    public static readonly ICommandSlice Slice = Cells.Slice<ApproveScore>(Decide);

    public static Task Handle(ApproveScore cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);
}

public static class ApproveScoreEndpoint
{
    [WolverinePost("/cycles/{cycleId}/commitments/{commitmentId}/assessments/{memberCode}/proposals/{proposalId}/approval", OperationId = "ApproveScore"), Tags("Assessments")]
    public static Task<IResult> Post(string cycleId, string commitmentId, string memberCode, string proposalId, ApproveScore command,
        HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId, CommitmentId = commitmentId, MemberCode = memberCode, ProposalId = proposalId,
            ExpectedVersion = http.IfMatch(command.ExpectedVersion) });
}
