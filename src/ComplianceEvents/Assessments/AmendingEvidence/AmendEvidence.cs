using ComplianceEvents.Infrastructure;
using FluentValidation;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Assessments.AmendingEvidence;

/// <summary>Replaces an evidence item's content with a reason; approvals resting on it become stale (DESIGN 1.2 rule 8).</summary>
public sealed record AmendEvidence(string CycleId, string CommitmentId, string MemberCode, string EvidenceId, DateOnly ActionDate,
    string Summary, IReadOnlyList<Citation> Citations, string Reason, IReadOnlyList<string>? Dimensions = null,
    Strength? Strength = null, long? ExpectedVersion = null) : IAssessmentCommand, IEvidenceContent
{
    public sealed class Validator : AbstractValidator<AmendEvidence>
    {
        public Validator()
        {
            this.AddressRules();
            Include(new EvidenceContentValidator());
            RuleFor(c => c.EvidenceId).NotEmpty();
            RuleFor(c => c.Reason).NotEmpty().MaximumLength(2000);
        }
    }
}

public static class AmendEvidenceHandler
{
    public static Decision Decide(AmendEvidence cmd, Cell cell)
    {
        if (!cell.Actor.CanAnalyse)
            return RuleViolation.Forbidden("role-required", "Amending evidence needs the analyst, lead analyst or compliance director role.");
        var existing = cell.State?.FindEvidence(cmd.EvidenceId);
        if (existing is null) return RuleViolation.NotFound("evidence-not-found", $"Evidence '{cmd.EvidenceId}' does not exist in this assessment.", "evidenceId");
        if (existing.Withdrawn) return RuleViolation.Conflict("evidence-withdrawn", $"Evidence '{cmd.EvidenceId}' was withdrawn and cannot be amended.", "evidenceId");
        if (EvidenceContent.Check(cmd, cell) is { } v) return v;
        if (EvidenceContent.CheckBudget(cmd, cell, replacing: cmd.EvidenceId) is { } over) return over;

        var flags = EvidenceContent.Flags(cmd, cell);
        return Decision.Append([new EvidenceAmended(cmd.EvidenceId, cmd.ActionDate, cmd.Summary.Trim(), cmd.Dimensions ?? [], cmd.Strength,
            cmd.Citations, cmd.Reason.Trim(), flags)], flags, cmd.EvidenceId);
    }

    public static readonly ICommandSlice Slice = Cells.Slice<AmendEvidence>(Decide);

    public static Task Handle(AmendEvidence cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);
}

public static class AmendEvidenceEndpoint
{
    [WolverinePut("/cycles/{cycleId}/commitments/{commitmentId}/assessments/{memberCode}/evidence/{evidenceId}", OperationId = "AmendEvidence"), Tags("Assessments")]
    public static Task<IResult> Put(string cycleId, string commitmentId, string memberCode, string evidenceId, AmendEvidence command,
        HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId, CommitmentId = commitmentId, MemberCode = memberCode, EvidenceId = evidenceId,
            ExpectedVersion = http.IfMatch(command.ExpectedVersion) });
}
