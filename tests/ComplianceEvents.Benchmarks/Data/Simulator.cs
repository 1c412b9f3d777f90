using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.AmendingEvidence;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Commitments;
using ComplianceEvents.Commitments.PublishingRubric;
using ComplianceEvents.Commitments.RevisingRubric;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.Cycles;
using ComplianceEvents.Cycles.OpeningCycle;
using ComplianceEvents.Cycles.SettingReportWindow;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports.AsOf;

namespace ComplianceEvents.Benchmarks.Data;

/// <summary>One event as the product's handler would append it, with the metadata CommandRunner sets.</summary>
public sealed record SimEvent(string StreamKey, long Version, object Data, string User, string Command, DateTimeOffset Timestamp);

/// <summary>
/// Runs commands through the product's own pure decision functions (the Check/Decide methods the handlers
/// call) against in-memory state, without a database. It produces exactly the events the command path would
/// append, for the paths that bypass the handlers: the bulk load (B1e, background data) and the raw baselines'
/// payloads. A refused command is a bug in the generator, so it throws.
/// </summary>
public sealed class Simulator
{
    private readonly Dictionary<string, Cycle> _cycles = [];
    private readonly Dictionary<string, Commitment> _commitments = [];
    private readonly Dictionary<string, Assessment> _assessments = [];
    private readonly Dictionary<string, long> _versions = [];

    public Cycle CycleOf(string cycleId) => _cycles[Cycle.StreamKey(cycleId)];
    public Commitment CommitmentOf(string cycleId, string commitmentId) => _commitments[Commitment.StreamKey(cycleId, commitmentId)];

    /// <summary>Forgets finished streams so a long generation keeps bounded memory.</summary>
    public void ForgetCycle(string cycleId)
    {
        foreach (var key in _assessments.Keys.Where(k => k.StartsWith($"assessment:{cycleId}:", StringComparison.Ordinal)).ToList())
            _assessments.Remove(key);
    }

    public IReadOnlyList<SimEvent> Run(object command, Actor actor, DateTimeOffset now) => command switch
    {
        OpenCycle c => Emit(Cycle.StreamKey(c.CycleId), c, actor, now,
            Refuse(OpenCycleHandler.Check(_cycles.GetValueOrDefault(Cycle.StreamKey(c.CycleId)), c, actor)) ?? [OpenCycleHandler.Decide(c)]),
        SetReportWindow c => Emit(Cycle.StreamKey(c.CycleId), c, actor, now,
            Refuse(SetReportWindowHandler.Check(_cycles.GetValueOrDefault(Cycle.StreamKey(c.CycleId)), c, actor))
            ?? [new ReportWindowSet(c.CycleId, c.Kind, c.Start, c.Cutoff, c.Reason?.Trim())]),
        SelectCommitment c => Emit(Commitment.StreamKey(c.CycleId, c.CommitmentId), c, actor, now,
            Refuse(SelectCommitmentHandler.Check(c, _commitments.GetValueOrDefault(Commitment.StreamKey(c.CycleId, c.CommitmentId)),
                _cycles.GetValueOrDefault(Cycle.StreamKey(c.CycleId)),
                _commitments.Values.Any(x => x.CycleId == c.CycleId && x.Number == c.Number), actor)) ?? [SelectCommitmentHandler.Decide(c)]),
        PublishRubric c => Emit(Commitment.StreamKey(c.CycleId, c.CommitmentId), c, actor, now,
            Refuse(PublishRubricHandler.Check(c, _commitments.GetValueOrDefault(Commitment.StreamKey(c.CycleId, c.CommitmentId)), actor))
            ?? [new RubricPublished(c.CycleId, c.CommitmentId, c.Rubric.ToRubric(1))]),
        ReviseRubric c => Revise(c, actor, now),
        RecordEvidence c => OnCell(c, actor, now, cell => RecordEvidenceHandler.Decide(c, cell)),
        AmendEvidence c => OnCell(c, actor, now, cell => AmendEvidenceHandler.Decide(c, cell)),
        ProposeScore c => OnCell(c, actor, now, cell => ProposeScoreHandler.Decide(c, cell)),
        ApproveScore c => OnCell(c, actor, now, cell => ApproveScoreHandler.Decide(c, cell)),
        _ => throw new NotSupportedException($"The simulator does not run {command.GetType().Name}."),
    };

    private static object[]? Refuse(RuleViolation? violation) =>
        violation is null ? null : throw new InvalidOperationException($"Synthetic command refused: {violation.Rule}: {violation.Message}");

    private IReadOnlyList<SimEvent> Revise(ReviseRubric c, Actor actor, DateTimeOffset now)
    {
        var key = Commitment.StreamKey(c.CycleId, c.CommitmentId);
        var current = _commitments.GetValueOrDefault(key);
        Refuse(ReviseRubricHandler.Check(c, current, actor));
        var previous = current!.CurrentRubric!.Version;
        return Emit(key, c, actor, now, [new RubricRevised(c.CycleId, c.CommitmentId, c.Rubric.ToRubric(previous + 1), previous, c.Reason.Trim())]);
    }

    /// <summary>The same steps as the assessment slices (Cells.Slice): the decision on the cell, and AssessmentOpened first on a
    /// new stream.</summary>
    private IReadOnlyList<SimEvent> OnCell<T>(T cmd, Actor actor, DateTimeOffset now, Func<Cell, Decision> decide) where T : IAssessmentCommand
    {
        var key = Assessment.StreamKey(cmd.CycleId, cmd.CommitmentId, cmd.MemberCode);
        var state = _assessments.GetValueOrDefault(key);
        var cell = new Cell(CycleOf(cmd.CycleId), CommitmentOf(cmd.CycleId, cmd.CommitmentId), cmd.MemberCode, state, actor, now);
        var decision = decide(cell);
        Refuse(decision.Violation);
        IEnumerable<object> events = state is null
            ? [new AssessmentOpened(cmd.CycleId, cmd.CommitmentId, cmd.MemberCode), .. decision.Events]
            : decision.Events;
        return Emit(key, cmd, actor, now, [.. events]);
    }

    private IReadOnlyList<SimEvent> Emit(string key, object command, Actor actor, DateTimeOffset now, object[] events)
    {
        var version = _versions.GetValueOrDefault(key);
        var result = new List<SimEvent>(events.Length);
        foreach (var e in events)
        {
            version++;
            Apply(key, e);
            result.Add(new SimEvent(key, version, e, actor.UserId, command.GetType().Name, now));
        }
        _versions[key] = version;
        return result;
    }

    private void Apply(string key, object e)
    {
        switch (e)
        {
            case CycleOpened x: _cycles[key] = Cycle.Create(x); break;
            case ReportWindowSet x: _cycles[key] = _cycles[key].Apply(x); break;
            case CommitmentSelected x: _commitments[key] = Commitment.Create(x); break;
            case RubricPublished x: _commitments[key] = _commitments[key].Apply(x); break;
            case RubricRevised x: _commitments[key] = _commitments[key].Apply(x); break;
            case AssessmentOpened x: _assessments[key] = Assessment.Create(x); break;
            default: _assessments[key] = Assessment.Fold(_assessments[key], e)!; break;
        }
    }
}
