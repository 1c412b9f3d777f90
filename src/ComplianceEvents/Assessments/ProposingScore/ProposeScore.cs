using ComplianceEvents.Infrastructure;
using FluentValidation;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Assessments.ProposingScore;

/// <summary>An analyst's score with its rationale, the evidence it rests on and the rubric version it applies.</summary>
public sealed record ProposeScore(string CycleId, string CommitmentId, string MemberCode, int Score, string Rationale,
    IReadOnlyList<string> EvidenceIds, int RubricVersion, long? ExpectedVersion = null,
        IReadOnlyList<string>? CoAnalysts = null) : IAssessmentCommand
{
    public sealed class Validator : AbstractValidator<ProposeScore>
    {
        public Validator()
        {
            this.AddressRules();
            RuleFor(c => c.Score).InclusiveBetween(-1, 1).WithMessage("'Score' is -1, 0 or +1 (DESIGN 1.2 rule 2).");
            RuleFor(c => c.Rationale).NotEmpty().MaximumLength(20_000);
            RuleFor(c => c.EvidenceIds).NotNull();
            RuleFor(c => c.RubricVersion).GreaterThan(0);
        }
    }
}

public static class ProposeScoreHandler
{
    public static Decision Decide(ProposeScore cmd, Cell cell)
    {
        if (!cell.Actor.CanAnalyse)
            return RuleViolation.Forbidden("role-required", "Proposing a score needs the analyst, lead analyst or compliance director " +
                "role.");
        if (!cell.Commitment.IsApplicable(cmd.MemberCode))
            return RuleViolation.Rejected("member-not-applicable",
                $"Commitment {cmd.CommitmentId} does not apply to {cmd.MemberCode}: the cell is N/A, not a score.", "memberCode");
        if (cell.State?.Pending is { } pending)
            return RuleViolation.Conflict("proposal-pending",
                $"Proposal {pending.ProposalId} is still pending; approve, return or reject it first.");
        var rubric = cell.Commitment.RubricVersion(cmd.RubricVersion);
        if (rubric is null)
            return RuleViolation.Rejected("rubric-version-unknown",
                $"Commitment {cmd.CommitmentId} has no rubric version {cmd.RubricVersion}.", "rubricVersion");
        foreach (var id in cmd.EvidenceIds)
        {
            var evidence = cell.State?.FindEvidence(id);
            if (evidence is null)
                return RuleViolation.Rejected("evidence-not-in-assessment", $"Evidence '{id}' does not belong to this " +
                    $"assessment.", "evidenceIds");
            if (evidence.Withdrawn)
                return RuleViolation.Rejected("evidence-withdrawn", $"Evidence '{id}' was withdrawn and cannot support a " +
                    $"score.", "evidenceIds");
        }

        var suggested = cell.State?.SuggestedScore(cell.Commitment, rubric);
        var flags = new List<string>();
        if (suggested is { } s && s != cmd.Score)
            flags.Add($"disagrees-with-rubric: the dimension rules of version {rubric.Version} suggest {Scores.Format(s)}");
        if (cell.Commitment.CurrentRubric is { } current && current.Version > rubric.Version)
            flags.Add($"outdated-rubric: proposed under version {rubric.Version}, current version {current.Version}");
        var proposalId = $"p{(cell.State?.Proposals.Count ?? 0) + 1}";
        return Decision.Append([new ScoreProposed(proposalId, cmd.Score, cmd.Rationale.Trim(), cmd.EvidenceIds.Distinct().ToList(),
            cmd.RubricVersion, cell.Actor.UserId, cell.Now, suggested, flags,
            [cell.Actor.UserId, .. (cmd.CoAnalysts ?? []).Select(UserIds.Normalise).Where(a => !UserIds.Same(a, cell.Actor.UserId))
                .Distinct(UserIds.Comparer)])], flags, proposalId);
    }

    public static readonly ICommandSlice Slice = Cells.Slice<ProposeScore>(Decide);

    public static Task Handle(ProposeScore cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);
}

public static class ProposeScoreEndpoint
{
    [WolverinePost("/cycles/{cycleId}/commitments/{commitmentId}/assessments/{memberCode}/proposals", OperationId = "ProposeScore"),
        Tags("Assessments")]
    public static Task<IResult> Post(string cycleId, string commitmentId, string memberCode, ProposeScore command,
        HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId, CommitmentId = commitmentId, MemberCode = memberCode,
            ExpectedVersion = http.IfMatch(command.ExpectedVersion) }, r
            => $"/cycles/{cycleId}/commitments/{commitmentId}/assessments/{memberCode}#proposal-{r.ResourceId}");
}
