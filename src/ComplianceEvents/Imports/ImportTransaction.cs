using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Commitments;
using ComplianceEvents.Commitments.ChangingApplicability;
using ComplianceEvents.Commitments.PublishingRubric;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.Cycles;
using ComplianceEvents.Cycles.OpeningCycle;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports.AsOf;
using FluentValidation;
using Marten;

namespace ComplianceEvents.Imports;

/// <summary>
/// A whole import as one transaction. Every step takes the checks of its command (the slice's validator and pure decision,
/// on state folded in memory from what the store held and what earlier steps decided), and its events carry the step's
/// own user and command id, with a receipt keyed by that user. Nothing is written until <see cref="Commit"/>, so a file
/// with one refused line appends nothing. Nothing is published: imported history is not news (docs/integration.md).
/// </summary>
public sealed class ImportTransaction(IDocumentSession session, CommandValidators validators, DateTimeOffset now)
{
    private readonly Dictionary<string, Cycle?> _cycles = [];
    private readonly Dictionary<string, Commitment?> _commitments = [];
    private readonly Dictionary<string, Assessment?> _assessments = [];
    private readonly HashSet<(string Cycle, int Number)> _numbers = [];
    private readonly Dictionary<string, long> _versions = [];

    public int Events { get; private set; }

    /// <summary>What the store holds of a cycle, read once before the steps are decided.</summary>
    public async Task Load(string cycleId, CancellationToken ct)
    {
        if (await session.LoadAsync<Cycle>(Cycles.Cycle.StreamKey(cycleId), ct) is { } cycle) Known(_cycles, cycle.Id, cycle,
            cycle.Version);
        foreach (var c in await session.Query<Commitment>().Where(c => c.CycleId == cycleId).ToListAsync(ct))
        {
            Known(_commitments, c.Id, c, c.Version);
            _numbers.Add((cycleId, c.Number));
        }
        foreach (var a in await session.Query<Assessment>().Where(a => a.CycleId == cycleId).ToListAsync(ct)) Known(_assessments, a.Id, a,
            a.Version);
    }

    private void Known<T>(Dictionary<string, T?> states, string key, T state, long version) where T : class
    {
        states[key] = state;
        _versions[key] = version;
    }

    public Cycle? Cycle(string cycleId) => _cycles.GetValueOrDefault(Cycles.Cycle.StreamKey(cycleId));
    public Commitment? Commitment(string cycleId, string id) => _commitments.GetValueOrDefault(Commitments.Commitment.StreamKey(cycleId,
        id));
    public Assessment? Assessment(string cycleId, string id, string member) =>
        _assessments.GetValueOrDefault(Assessments.Assessment.StreamKey(cycleId, id, member));

    public CommandResult Send(object command, Actor actor, string commandId)
    {
        if (validators.For(command.GetType()) is { } validator
            && validator.Validate(new ValidationContext<object>(command)) is { IsValid: false } invalid)
            return CommandRunner.Invalid(invalid);
        var (key, decision) = Decide(command, actor);
        if (decision.Violation is { } violation) return CommandResult.Refused(violation);

        var action = _versions.ContainsKey(key) ? session.Events.Append(key, decision.Events) : session.Events.StartStream(key,
            decision.Events);
        foreach (var e in action.Events)
        {
            e.SetHeader(CommandRunner.UserHeader, actor.UserId);
            e.SetHeader(CommandRunner.CommandHeader, command.GetType().Name);
            e.SetHeader(CommandRunner.CommandIdHeader, commandId);
        }
        foreach (var e in decision.Events) Fold(key, e);
        Events += decision.Events.Count;
        _versions[key] = _versions.GetValueOrDefault(key) + decision.Events.Count;
        var result = CommandResult.Accepted(key, _versions[key], action.Events.Select(e => e.Id).ToList(), decision.Flags)
            with { ResourceId = decision.ResourceId };
        session.Insert(new CommandReceipt(CommandReceipt.IdFor(actor, commandId), command.GetType().Name,
            CommandRunner.PayloadHash(command), result, now));
        return result;
    }

    /// <summary>One commit for the whole file; a concurrent writer on any of its streams makes it save nothing.</summary>
    public async Task<RuleViolation?> Commit(CancellationToken ct)
    {
        try
        {
            await session.SaveChangesAsync(ct);
            return null;
        }
        catch (Exception e) when (CommandRunner.IsConflict(e))
        {
            return RuleViolation.Conflict("stream-version",
                "Another writer changed what this file imports while it was imported; nothing was saved. Import again.");
        }
    }

    private (string Key, Decision Decision) Decide(object command, Actor actor)
    {
        switch (command)
        {
            case OpenCycle x:
                return (Cycles.Cycle.StreamKey(x.CycleId),
                    OpenCycleHandler.Check(Cycle(x.CycleId), x, actor) is { } v1 ? v1 : Decision.Append(OpenCycleHandler.Decide(x)));
            case SelectCommitment x:
                return (Commitments.Commitment.StreamKey(x.CycleId, x.CommitmentId),
                    SelectCommitmentHandler.Check(x, Commitment(x.CycleId, x.CommitmentId), Cycle(x.CycleId), _numbers.Contains((x.CycleId,
                        x.Number)), actor)
                        is { } v2 ? v2 : Decision.Append(SelectCommitmentHandler.Decide(x)));
            case PublishRubric x:
                return (Commitments.Commitment.StreamKey(x.CycleId, x.CommitmentId),
                    PublishRubricHandler.Check(x, Commitment(x.CycleId, x.CommitmentId), actor) is { } v3 ? v3
                        : Decision.Append(new RubricPublished(x.CycleId, x.CommitmentId, x.Rubric.ToRubric(1))));
            case MarkMemberNotApplicable x:
                return (Commitments.Commitment.StreamKey(x.CycleId, x.CommitmentId),
                    ChangeApplicabilityHandler.Check(Commitment(x.CycleId, x.CommitmentId), Cycle(x.CycleId), x.CycleId, x.CommitmentId,
                        x.MemberCode, true, actor)
                        is { } v4 ? v4 : Decision.Append(new MemberMarkedNotApplicable(x.CycleId, x.CommitmentId, x.MemberCode,
                            x.Reason.Trim())));
            case IAssessmentCommand x:
                return (Assessments.Assessment.StreamKey(x.CycleId, x.CommitmentId, x.MemberCode),
                    Cells.Decide(x, Cycle(x.CycleId), Commitment(x.CycleId, x.CommitmentId), Assessment(x.CycleId, x.CommitmentId,
                        x.MemberCode), actor, now,
                        cell => x switch
                        {
                            ProposeScore p => ProposeScoreHandler.Decide(p, cell),
                            ApproveScore a => ApproveScoreHandler.Decide(a, cell),
                            _ => RuleViolation.Conflict("step-unsupported", $"{x.GetType().Name} is not an import step."),
                        }));
            default:
                return ("", RuleViolation.Conflict("step-unsupported", $"{command.GetType().Name} is not an import step."));
        }
    }

    private void Fold(string key, object e)
    {
        switch (e)
        {
            case CycleOpened x: _cycles[key] = Cycles.Cycle.Create(x); break;
            case CommitmentSelected x:
                _commitments[key] = Commitments.Commitment.Create(x);
                _numbers.Add((x.CycleId, x.Number));
                break;
            case RubricPublished x: Bump(_commitments, key, c => c.Apply(x)); break;
            case MemberMarkedNotApplicable x: Bump(_commitments, key, c => c.Apply(x)); break;
            case AssessmentOpened x: _assessments[key] = Assessments.Assessment.Create(x); break;
            default: Bump(_assessments, key, a => CycleHistory.ApplyToAssessment(a, e)); break;
        }
    }

    private static void Bump<T>(Dictionary<string, T?> states, string key, Func<T, T> apply) where T : class
        => states[key] = apply(states[key]!);
}
