using ComplianceEvents.Infrastructure;
using FluentValidation;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Assessments.RecordingEvidence;

/// <summary>Records one dated government action. <paramref name="EvidenceId"/> is optional: e1, e2, ... when omitted.</summary>
public sealed record RecordEvidence(string CycleId, string CommitmentId, string MemberCode, DateOnly ActionDate, string Summary,
    IReadOnlyList<Citation> Citations, IReadOnlyList<string>? Dimensions = null, Strength? Strength = null,
    string? EvidenceId = null, long? ExpectedVersion = null) : IAssessmentCommand, IEvidenceContent
{
    public sealed class Validator : AbstractValidator<RecordEvidence>
    {
        public Validator()
        {
            this.AddressRules();
            Include(new EvidenceContentValidator());
            RuleFor(c => c.EvidenceId).Matches(Slugs.Pattern).When(c => c.EvidenceId is not null).WithMessage(Slugs.Message);
        }
    }
}

public static class RecordEvidenceHandler
{
    public static Decision Decide(RecordEvidence cmd, Cell cell)
    {
        if (!cell.Actor.CanAnalyse)
            return RuleViolation.Forbidden("role-required", "Recording evidence needs the analyst, lead analyst or compliance director " +
                "role.");
        // Bounds what one cell adds to a report (docs/api.md "Limits"). Withdrawn items count: the stream keeps them. A rule of the
        // cell's own decision, so the stream version check makes it exact under concurrent writers.
        if (cell.Evidence.Count >= Assessment.MaxEvidence)
            return RuleViolation.Rejected("evidence-limit", $"A cell holds at most {Assessment.MaxEvidence} evidence items (withdrawn " +
                "ones included); this one is full.");
        var id = cmd.EvidenceId ?? NextId(cell);
        if (cell.State?.FindEvidence(id) is not null)
            return RuleViolation.Conflict("evidence-exists", $"Evidence '{id}' already exists in this assessment.", "evidenceId");
        if (EvidenceContent.Check(cmd, cell) is { } v) return v;
        if (EvidenceContent.CheckBudget(cmd, cell) is { } over) return over;

        var flags = EvidenceContent.Flags(cmd, cell);
        return Decision.Append([new EvidenceRecorded(id, cmd.ActionDate, cmd.Summary.Trim(), cmd.Dimensions ?? [], cmd.Strength,
            cmd.Citations, flags)], flags, id);
    }

    /// <summary>e1, e2, ...: the first number not taken, so a client-chosen "e3" never makes a later generated id collide.</summary>
    private static string NextId(Cell cell) =>
        Enumerable.Range(cell.Evidence.Count + 1, cell.Evidence.Count + 1).Select(n => $"e{n}").First(id
            => cell.State?.FindEvidence(id) is null);

    public static readonly ICommandSlice Slice = Cells.Slice<RecordEvidence>(Decide);

    public static Task Handle(RecordEvidence cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);
}

public static class RecordEvidenceEndpoint
{
    [WolverinePost("/cycles/{cycleId}/commitments/{commitmentId}/assessments/{memberCode}/evidence", OperationId = "RecordEvidence"),
        Tags("Assessments")]
    public static Task<IResult> Post(string cycleId, string commitmentId, string memberCode, RecordEvidence command,
        HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId, CommitmentId = commitmentId, MemberCode = memberCode,
            ExpectedVersion = http.IfMatch(command.ExpectedVersion) }, r
            => $"/cycles/{cycleId}/commitments/{commitmentId}/assessments/{memberCode}#evidence-{r.ResourceId}");
}
