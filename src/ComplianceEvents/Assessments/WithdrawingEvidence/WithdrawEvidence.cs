using ComplianceEvents.Infrastructure;
using FluentValidation;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Assessments.WithdrawingEvidence;

/// <summary>Evidence is never deleted: withdrawing keeps it in the log and out of new proposals and suggestions.</summary>
public sealed record WithdrawEvidence(string CycleId, string CommitmentId, string MemberCode, string EvidenceId, string Reason,
    long? ExpectedVersion = null) : IAssessmentCommand
{
    public sealed class Validator : AbstractValidator<WithdrawEvidence>
    {
        public Validator()
        {
            this.AddressRules();
            RuleFor(c => c.EvidenceId).NotEmpty();
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(2000);
        }
    }
}

public static class WithdrawEvidenceHandler
{
    public static Decision Decide(WithdrawEvidence cmd, Cell cell)
    {
        if (!cell.Actor.CanAnalyse)
            return RuleViolation.Forbidden("role-required", "Withdrawing evidence needs the analyst, lead analyst or compliance director role.");
        var existing = cell.State?.FindEvidence(cmd.EvidenceId);
        if (existing is null) return RuleViolation.NotFound("evidence-not-found", $"Evidence '{cmd.EvidenceId}' does not exist in this assessment.", "evidenceId");
        if (existing.Withdrawn) return RuleViolation.Conflict("evidence-withdrawn", $"Evidence '{cmd.EvidenceId}' is already withdrawn.", "evidenceId");
        return Decision.Append([new EvidenceWithdrawn(cmd.EvidenceId, cmd.Reason.Trim())], [], cmd.EvidenceId);
    }

    public static readonly ICommandSlice Slice = Cells.Slice<WithdrawEvidence>(Decide);

    public static Task Handle(WithdrawEvidence cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);
}

public static class WithdrawEvidenceEndpoint
{
    [WolverinePost("/cycles/{cycleId}/commitments/{commitmentId}/assessments/{memberCode}/evidence/{evidenceId}/withdrawal", OperationId = "WithdrawEvidence"), Tags("Assessments")]
    public static Task<IResult> Post(string cycleId, string commitmentId, string memberCode, string evidenceId, WithdrawEvidence command,
        HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId, CommitmentId = commitmentId, MemberCode = memberCode, EvidenceId = evidenceId,
            ExpectedVersion = http.IfMatch(command.ExpectedVersion) });
}
