using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Http;

namespace ComplianceEvents.Commitments.SelectingCommitment;

public sealed record SelectCommitment(string CycleId, string CommitmentId, int Number, string IssueArea, string Title,
    string Text, string Source, string LeadAnalyst, string? ComplianceDirector = null,
    IReadOnlyList<Dimension>? Dimensions = null, IReadOnlyList<Definition>? Definitions = null,
    IReadOnlyList<string>? InterpretiveGuidelines = null, IReadOnlyList<string>? Background = null,
    IReadOnlyList<string>? Features = null)
{
    public sealed class Validator : AbstractValidator<SelectCommitment>
    {
        public Validator()
        {
            RuleFor(c => c.CycleId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
            RuleFor(c => c.CommitmentId).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
            RuleFor(c => c.Number).GreaterThan(0);
            RuleFor(c => c.IssueArea).NotEmpty().MaximumLength(200);
            RuleFor(c => c.Title).NotEmpty().MaximumLength(300);
            RuleFor(c => c.Text).NotEmpty();
            RuleFor(c => c.Source).NotEmpty().MaximumLength(500);
            RuleFor(c => c.LeadAnalyst).NotEmpty().MaximumLength(200);
            RuleForEach(c => c.Dimensions).ChildRules(d =>
            {
                d.RuleFor(x => x.Code).NotEmpty().Matches(Slugs.Pattern).WithMessage(Slugs.Message);
                d.RuleFor(x => x.Name).NotEmpty();
            });
            RuleFor(c => c.Dimensions).Must(d => d is null || d.Select(x => x.Code).Distinct().Count() == d.Count)
                .WithErrorCode("UniqueDimensionCodes").WithMessage("Dimension codes must be unique.");
            RuleForEach(c => c.Definitions).ChildRules(d =>
            {
                d.RuleFor(x => x.Term).NotEmpty();
                d.RuleFor(x => x.Meaning).NotEmpty();
            });
        }
    }
}

public static class SelectCommitmentHandler
{
    public static RuleViolation? Check(SelectCommitment cmd, Commitment? existing, Cycle? cycle, bool numberTaken, Actor actor)
    {
        if (cycle is null) return RuleViolation.NotFound("cycle-not-found", $"Cycle '{cmd.CycleId}' does not exist.", "cycleId");
        if (actor.RequireDirector("select a commitment") is { } forbidden) return forbidden;
        if (existing is not null)
            return RuleViolation.Conflict("commitment-exists", $"Commitment '{cmd.CommitmentId}' already exists in " +
                $"{cmd.CycleId}.", "commitmentId");
        return numberTaken
            ? RuleViolation.Conflict("number-taken", $"Another commitment of {cmd.CycleId} already has number {cmd.Number}.", "number")
            : null;
    }

    public static CommitmentSelected Decide(SelectCommitment c) =>
        new(c.CycleId, c.CommitmentId, c.Number, c.IssueArea.Trim(), c.Title.Trim(), c.Text.Trim(), c.Source.Trim(),
            c.Background ?? [], c.Features ?? [], c.Dimensions ?? [], c.Definitions ?? [], c.InterpretiveGuidelines ?? [],
            UserIds.Normalise(c.LeadAnalyst), UserIds.NormaliseOptional(c.ComplianceDirector));

    public static readonly ICommandSlice Slice = new CommandSlice<SelectCommitment, Commitment, (Cycle? Cycle, bool NumberTaken)>
    {
        Stream = cmd => Commitment.StreamKey(cmd.CycleId, cmd.CommitmentId),
        Load = (cmd, reads) => Lookups.Both(reads.Load<Cycle>(Cycle.StreamKey(cmd.CycleId)), Lookups.NumberTaken(reads, cmd.CycleId,
            cmd.Number)),
        Decide = (cmd, d) => Check(cmd, d.State, d.Loaded.Cycle, d.Loaded.NumberTaken, d.Actor) is { } v ? v : Decision.Append(Decide(cmd)),
    };

    public static Task Handle(SelectCommitment cmd, Envelope envelope, CommandRunner runner, CancellationToken ct) =>
        runner.Send(cmd, envelope, ct);
}

public static class SelectCommitmentEndpoint
{
    [WolverinePost("/cycles/{cycleId}/commitments", OperationId = "SelectCommitment"), Tags("Commitments")]
    public static Task<IResult> Post(string cycleId, SelectCommitment command, HttpContext http, CommandRunner runner) =>
        http.Send(runner, command with { CycleId = cycleId }, _ => $"/cycles/{cycleId}/commitments/{command.CommitmentId}");
}
