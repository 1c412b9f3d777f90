using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using FluentValidation;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Commitments.ChangingApplicability;

/// <summary>A commitment that does not apply to a member: the cell is N/A, not a score (DESIGN 1.1 "assessment").</summary>
public sealed record MarkMemberNotApplicable(string CycleId, string CommitmentId, string MemberCode, string Reason, long? ExpectedVersion = null);

/// <summary>Undoes <see cref="MarkMemberNotApplicable"/>.</summary>
public sealed record RestoreMemberApplicability(string CycleId, string CommitmentId, string MemberCode, string Reason, long? ExpectedVersion = null);

public sealed class MarkMemberNotApplicableValidator : AbstractValidator<MarkMemberNotApplicable>
{
    public MarkMemberNotApplicableValidator()
    {
        RuleFor(c => c.CycleId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
        RuleFor(c => c.CommitmentId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
        RuleFor(c => c.MemberCode).NotEmpty();
        RuleFor(c => c.Reason).NotEmpty().MaximumLength(2000);
    }
}

public sealed class RestoreMemberApplicabilityValidator : AbstractValidator<RestoreMemberApplicability>
{
    public RestoreMemberApplicabilityValidator()
    {
        RuleFor(c => c.CycleId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
        RuleFor(c => c.CommitmentId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
        RuleFor(c => c.MemberCode).NotEmpty();
        RuleFor(c => c.Reason).NotEmpty().MaximumLength(2000);
    }
}

public static class ChangeApplicabilityHandler
{
    public static RuleViolation? Check(Commitment? commitment, Cycle? cycle, string cycleId, string commitmentId, string member, bool markingNotApplicable, Actor actor)
    {
        if (commitment is null || cycle is null) return Lookups.CommitmentNotFound(cycleId, commitmentId);
        if (commitment.RequireReviewer(actor, "change which members a commitment applies to") is { } forbidden) return forbidden;
        if (!cycle.HasMember(member))
            return RuleViolation.Rejected("member-not-in-cycle", $"'{member}' is not a member assessed in {cycleId}.", "memberCode");
        if (markingNotApplicable && !commitment.IsApplicable(member))
            return RuleViolation.Conflict("already-not-applicable", $"Commitment {commitmentId} is already not applicable to {member}.", "memberCode");
        if (!markingNotApplicable && commitment.IsApplicable(member))
            return RuleViolation.Conflict("already-applicable", $"Commitment {commitmentId} already applies to {member}.", "memberCode");
        return null;
    }

    public static readonly ICommandSlice MarkSlice = new CommandSlice<MarkMemberNotApplicable, Commitment, Cycle?>
    {
        Stream = cmd => Commitment.StreamKey(cmd.CycleId, cmd.CommitmentId),
        ExpectedVersion = cmd => cmd.ExpectedVersion,
        Load = (cmd, reads) => reads.Load<Cycle>(Cycle.StreamKey(cmd.CycleId)),
        Decide = (cmd, d) => Check(d.State, d.Loaded, cmd.CycleId, cmd.CommitmentId, cmd.MemberCode, true, d.Actor) is { } v ? v
            : Decision.Append(new MemberMarkedNotApplicable(cmd.CycleId, cmd.CommitmentId, cmd.MemberCode, cmd.Reason.Trim())),
    };

    public static readonly ICommandSlice RestoreSlice = new CommandSlice<RestoreMemberApplicability, Commitment, Cycle?>
    {
        Stream = cmd => Commitment.StreamKey(cmd.CycleId, cmd.CommitmentId),
        ExpectedVersion = cmd => cmd.ExpectedVersion,
        Load = (cmd, reads) => reads.Load<Cycle>(Cycle.StreamKey(cmd.CycleId)),
        Decide = (cmd, d) => Check(d.State, d.Loaded, cmd.CycleId, cmd.CommitmentId, cmd.MemberCode, false, d.Actor) is { } v ? v
            : Decision.Append(new MemberApplicabilityRestored(cmd.CycleId, cmd.CommitmentId, cmd.MemberCode, cmd.Reason.Trim())),
    };

    public static Task Handle(MarkMemberNotApplicable cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);

    public static Task Handle(RestoreMemberApplicability cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);
}

public static class ChangeApplicabilityEndpoints
{
    [WolverinePost("/cycles/{cycleId}/commitments/{commitmentId}/not-applicable/{memberCode}", OperationId = "MarkMemberNotApplicable"), Tags("Commitments")]
    public static Task<IResult> Mark(string cycleId, string commitmentId, string memberCode, MarkMemberNotApplicable command,
        HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId, CommitmentId = commitmentId, MemberCode = memberCode,
            ExpectedVersion = http.IfMatch(command.ExpectedVersion) });

    [WolverinePost("/cycles/{cycleId}/commitments/{commitmentId}/not-applicable/{memberCode}/restoration", OperationId = "RestoreMemberApplicability"), Tags("Commitments")]
    public static Task<IResult> Restore(string cycleId, string commitmentId, string memberCode, RestoreMemberApplicability command,
        HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId, CommitmentId = commitmentId, MemberCode = memberCode,
            ExpectedVersion = http.IfMatch(command.ExpectedVersion) });
}
