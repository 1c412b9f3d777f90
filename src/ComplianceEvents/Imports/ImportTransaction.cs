using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Assessments.RejectingScore;
using ComplianceEvents.Assessments.ReturningProposal;
using ComplianceEvents.Commitments;
using ComplianceEvents.Commitments.ChangingApplicability;
using ComplianceEvents.Commitments.PublishingRubric;
using ComplianceEvents.Commitments.RevisingRubric;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.Cycles;
using ComplianceEvents.Cycles.OpeningCycle;
using ComplianceEvents.Cycles.SettingReportWindow;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports.AsOf;
using FluentValidation;
using JasperFx.Events;
using Marten;

namespace ComplianceEvents.Imports;

/// <summary>
/// A whole import as one transaction. Every step takes the checks of its command (the slice's validator and pure decision,
/// on state folded in memory from what the store held and what earlier steps decided), and its events carry the step's
/// own user and command id, with a receipt keyed by that user: a step whose receipt the store holds is answered from it
/// (a re-import appends nothing), once its actor passes the decision's authorisation again. Nothing is written until
/// <see cref="Commit"/>, so a file with one refused line appends nothing, and a concurrent writer on any stream the file
/// touches makes the commit save nothing (each stream is appended at the version it was read at). Nothing is published:
/// imported history is not news (docs/integration.md).
/// </summary>
public sealed class ImportTransaction(IDocumentSession session, CommandValidators validators, DateTimeOffset now)
{
    private readonly Dictionary<string, Cycle?> _cycles = [];
    private readonly Dictionary<string, Commitment?> _commitments = [];
    private readonly Dictionary<string, Assessment?> _assessments = [];
    private readonly HashSet<(string Cycle, int Number)> _numbers = [];
    /// <summary>Each stream's version: as read from the store, then after the steps decided so far.</summary>
    private readonly Dictionary<string, long> _stored = [], _versions = [];
    private readonly Dictionary<string, CommandReceipt> _receipts = [];

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

    /// <summary>The receipts of the steps about to be sent, as (sender, command id), in one query.</summary>
    public async Task LoadReceipts(IEnumerable<(Actor Sender, string CommandId)> steps, CancellationToken ct)
    {
        var ids = steps.Select(s => CommandReceipt.IdFor(s.Sender, s.CommandId)).Distinct().ToArray();
        foreach (var receipt in await session.LoadManyAsync<CommandReceipt>(ct, ids)) _receipts[receipt.Id] = receipt;
    }

    private void Known<T>(Dictionary<string, T?> states, string key, T state, long version) where T : class
    {
        states[key] = state;
        _stored[key] = _versions[key] = version;
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
        var type = command.GetType().Name;
        var hash = CommandRunner.PayloadHash(command);
        var receiptId = CommandReceipt.IdFor(actor, commandId);
        if (_receipts.TryGetValue(receiptId, out var receipt))
            return CommandRunner.Authorised(CommandRunner.Replay(receipt, commandId, type, hash), decision);
        if (decision.Violation is { } violation) return CommandResult.Refused(violation);

        var known = _versions.TryGetValue(key, out var version);
        var action = known ? session.Events.Append(key, decision.Events) : session.Events.StartStream(key, decision.Events);
        // Appended at the version it was read at: a concurrent writer's events make the commit fail, not interleave.
        if (_stored.TryGetValue(key, out var stored)) action.ExpectedVersionOnServer = stored;
        var appended = action.Events.Skip(action.Events.Count - decision.Events.Count).ToList();
        foreach (var e in appended) Stamp(e, actor, type, commandId);
        foreach (var e in decision.Events) Fold(key, e);
        Events += decision.Events.Count;
        _versions[key] = version + decision.Events.Count;
        var result = CommandResult.Accepted(key, _versions[key], appended.Select(e => e.Id).ToList(), decision.Flags)
            with { ResourceId = decision.ResourceId };
        var written = new CommandReceipt(receiptId, type, hash, result, now);
        session.Insert(written);
        _receipts[receiptId] = written;
        return result;
    }

    private static void Stamp(IEvent e, Actor actor, string commandType, string commandId)
    {
        e.SetHeader(CommandRunner.UserHeader, actor.UserId);
        e.SetHeader(CommandRunner.CommandHeader, commandType);
        e.SetHeader(CommandRunner.CommandIdHeader, commandId);
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
            case SetReportWindow x:
                return (Cycles.Cycle.StreamKey(x.CycleId),
                    SetReportWindowHandler.Check(Cycle(x.CycleId), x, actor) is { } v2 ? v2 : Decision.Append(SetReportWindowHandler.Decide(x)));
            case SelectCommitment x:
                return (Commitments.Commitment.StreamKey(x.CycleId, x.CommitmentId),
                    SelectCommitmentHandler.Check(x, Commitment(x.CycleId, x.CommitmentId), Cycle(x.CycleId), _numbers.Contains((x.CycleId,
                        x.Number)), actor)
                        is { } v3 ? v3 : Decision.Append(SelectCommitmentHandler.Decide(x)));
            case PublishRubric x:
                return (Commitments.Commitment.StreamKey(x.CycleId, x.CommitmentId),
                    PublishRubricHandler.Check(x, Commitment(x.CycleId, x.CommitmentId), actor) is { } v4 ? v4
                        : Decision.Append(new RubricPublished(x.CycleId, x.CommitmentId, x.Rubric.ToRubric(1))));
            case ReviseRubric x:
                var revised = Commitment(x.CycleId, x.CommitmentId);
                return (Commitments.Commitment.StreamKey(x.CycleId, x.CommitmentId),
                    ReviseRubricHandler.Check(x, revised, actor) is { } v5 ? v5 : Decision.Append(ReviseRubricHandler.Decide(x, revised!)));
            case MarkMemberNotApplicable x:
                return (Commitments.Commitment.StreamKey(x.CycleId, x.CommitmentId),
                    ChangeApplicabilityHandler.Check(Commitment(x.CycleId, x.CommitmentId), Cycle(x.CycleId), x.CycleId, x.CommitmentId,
                        x.MemberCode, true, actor)
                        is { } v6 ? v6 : Decision.Append(new MemberMarkedNotApplicable(x.CycleId, x.CommitmentId, x.MemberCode,
                            x.Reason.Trim())));
            case IAssessmentCommand x:
                return (Assessments.Assessment.StreamKey(x.CycleId, x.CommitmentId, x.MemberCode),
                    Cells.Decide(x, Cycle(x.CycleId), Commitment(x.CycleId, x.CommitmentId), Assessment(x.CycleId, x.CommitmentId,
                        x.MemberCode), actor, now,
                        cell => x switch
                        {
                            RecordEvidence e => RecordEvidenceHandler.Decide(e, cell),
                            ProposeScore p => ProposeScoreHandler.Decide(p, cell),
                            ApproveScore a => ApproveScoreHandler.Decide(a, cell),
                            ReturnProposal r => ReturnProposalHandler.Decide(r, cell),
                            RejectScore r => RejectScoreHandler.Decide(r, cell),
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
            case ReportWindowSet x: Bump(_cycles, key, c => c.Apply(x)); break;
            case CommitmentSelected x:
                _commitments[key] = Commitments.Commitment.Create(x);
                _numbers.Add((x.CycleId, x.Number));
                break;
            case RubricPublished x: Bump(_commitments, key, c => c.Apply(x)); break;
            case RubricRevised x: Bump(_commitments, key, c => c.Apply(x)); break;
            case MemberMarkedNotApplicable x: Bump(_commitments, key, c => c.Apply(x)); break;
            case AssessmentOpened x: _assessments[key] = Assessments.Assessment.Create(x); break;
            default: Bump(_assessments, key, a => CycleHistory.ApplyToAssessment(a, e)); break;
        }
    }

    private static void Bump<T>(Dictionary<string, T?> states, string key, Func<T, T> apply) where T : class
        => states[key] = apply(states[key]!);
}
