using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using FluentValidation;
using Marten;

namespace ComplianceEvents.Assessments;

/// <summary>Every assessment command addresses one cell.</summary>
public interface IAssessmentCommand
{
    string CycleId { get; }
    string CommitmentId { get; }
    string MemberCode { get; }
    long? ExpectedVersion { get; }
}

/// <summary>What a decision on a cell may consult besides the cell itself.</summary>
public sealed record Cell(Cycle Cycle, Commitment Commitment, string MemberCode, Assessment? State, Actor Actor, DateTimeOffset Now)
{
    /// <summary>The cell's evidence list, or empty when the stream does not exist yet.</summary>
    public IReadOnlyList<EvidenceFacts> Evidence => State?.Evidence ?? [];
}

public static class Cells
{
    public static void AddressRules<T>(this AbstractValidator<T> v) where T : IAssessmentCommand
    {
        v.RuleFor(c => c.CycleId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
        v.RuleFor(c => c.CommitmentId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
        v.RuleFor(c => c.MemberCode).NotEmpty().Matches("^[A-Z]{2,3}$").WithMessage("A member code is 2 or 3 capital letters, e.g. CA, EU, UK.");
    }

    /// <summary>
    /// An assessment command as the pipeline runs it: the cell's stream, read with its cycle and commitment in one round trip
    /// (docs/benchmarks.md B1a), decided by <see cref="Decide"/>.
    /// </summary>
    public static ICommandSlice Slice<TCommand>(Func<TCommand, Cell, Decision> decide) where TCommand : IAssessmentCommand =>
        new CommandSlice<TCommand, Assessment, (Cycle? Cycle, Commitment? Commitment)>
        {
            Stream = c => Assessment.StreamKey(c.CycleId, c.CommitmentId, c.MemberCode),
            ExpectedVersion = c => c.ExpectedVersion,
            Load = (c, reads) => Lookups.Both(reads.Load<Cycle>(Cycle.StreamKey(c.CycleId)),
                reads.Load<Commitment>(Commitment.StreamKey(c.CycleId, c.CommitmentId))),
            Decide = (c, d) => Decide(c, d.Loaded.Cycle, d.Loaded.Commitment, d.State, d.Actor, d.Now, cell => decide(c, cell)),
        };

    /// <summary>
    /// Every assessment command's decision, whatever sends it (a command, an import batch): refuses unknown cells
    /// (404), runs the module's decision, and opens the stream with <see cref="AssessmentOpened"/> when the cell
    /// has no events yet.
    /// </summary>
    public static Decision Decide(IAssessmentCommand cmd, Cycle? cycle, Commitment? commitment, Assessment? state, Actor actor, DateTimeOffset now,
        Func<Cell, Decision> decide)
    {
        if (cycle is null) return RuleViolation.NotFound("cycle-not-found", $"Cycle '{cmd.CycleId}' does not exist.", "cycleId");
        if (commitment is null) return Lookups.CommitmentNotFound(cmd.CycleId, cmd.CommitmentId);
        if (!cycle.HasMember(cmd.MemberCode))
            return RuleViolation.NotFound("member-not-in-cycle", $"'{cmd.MemberCode}' is not a member assessed in {cmd.CycleId}.", "memberCode");

        var decision = decide(new Cell(cycle, commitment, cmd.MemberCode, state, actor, now));
        if (decision.Violation is not null || state is not null) return decision;
        return decision with { Events = [new AssessmentOpened(cmd.CycleId, cmd.CommitmentId, cmd.MemberCode), .. decision.Events] };
    }
}
