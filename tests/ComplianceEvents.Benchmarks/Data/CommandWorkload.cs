using ComplianceEvents.Benchmarks.Hosting;
using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Infrastructure;
using Wolverine;

namespace ComplianceEvents.Benchmarks.Data;

/// <summary>One command of a workload: the cell it writes, who sends it, and the events the product appends for it.</summary>
public sealed record WorkItem(string Stream, IAssessmentCommand Command, Actor Actor, IReadOnlyList<SimEvent> Events);

/// <summary>
/// The command mix of B1a-B1c and B3b: fresh cycles (set up through the bus, untimed), then per cell
/// evidence e1..eN, a proposal resting on it and its approval by the commitment's lead analyst.
/// </summary>
public sealed class CommandWorkload
{
    private CommandWorkload(IReadOnlyList<(object Command, Actor Actor)> setup, IReadOnlyList<WorkItem> items, Simulator simulator, DateTimeOffset now)
    {
        Setup = setup;
        Items = items;
        Simulator = simulator;
        Now = now;
    }

    public IReadOnlyList<(object Command, Actor Actor)> Setup { get; }
    public IReadOnlyList<WorkItem> Items { get; }
    /// <summary>Knows the cycles and commitments, so the raw baseline can run the product's pure decisions without loading them.</summary>
    public Simulator Simulator { get; }
    public DateTimeOffset Now { get; }
    public int Events => Items.Sum(i => i.Events.Count);

    public static CommandWorkload Build(string prefix, int commands, int evidencePerCell, int seed)
    {
        var synthetic = new Synthetic(seed);
        var simulator = new Simulator();
        var now = DateTimeOffset.UtcNow;
        var perCycle = Synthetic.CommitmentsPerCycle * Synthetic.G7.Count * (evidencePerCell + 2);
        var cycles = Math.Max(1, (commands + perCycle - 1) / perCycle);
        var setup = new List<(object, Actor)>();
        var items = new List<WorkItem>(commands);
        for (var c = 0; c < cycles && items.Count < commands; c++)
        {
            var cycleId = $"{prefix}-{c}";
            foreach (var (command, actor) in synthetic.CycleSetup(cycleId))
            {
                simulator.Run(command, actor, now);
                setup.Add((command, actor));
            }
            for (var n = 1; n <= Synthetic.CommitmentsPerCycle && items.Count < commands; n++)
                foreach (var member in Synthetic.G7)
                    foreach (var (command, actor) in synthetic.CellWork(cycleId, Synthetic.CommitmentId(n), member.Code, evidencePerCell))
                    {
                        if (items.Count >= commands) break;
                        var cmd = (IAssessmentCommand)command;
                        items.Add(new WorkItem(Assessment.StreamKey(cmd.CycleId, cmd.CommitmentId, cmd.MemberCode), cmd, actor,
                            simulator.Run(command, actor, now)));
                    }
        }
        return new CommandWorkload(setup, items, simulator, now);
    }

    /// <summary>Creates the workload's cycles and commitments through the bus (not timed).</summary>
    public async Task SetUp(CommandSender bus)
    {
        foreach (var (command, actor) in Setup)
            Expect(await bus.Send(command, actor), command);
    }

    public static CommandResult Expect(CommandResult result, object command) =>
        result.IsAccepted ? result
            : throw new InvalidOperationException($"{command.GetType().Name} was refused: {result.Outcome} {result.Rule}: {result.Message} "
                + string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}")));

    /// <summary>The product's pure decision for one item on a given state, and the state after it (the raw B1a path's fold).</summary>
    public (IReadOnlyList<object> Events, Assessment State) Decide(WorkItem item, Assessment? state)
    {
        var c = item.Command;
        var cell = new Cell(Simulator.CycleOf(c.CycleId), Simulator.CommitmentOf(c.CycleId, c.CommitmentId), c.MemberCode, state, item.Actor, Now);
        var decision = c switch
        {
            RecordEvidence x => RecordEvidenceHandler.Decide(x, cell),
            ProposeScore x => ProposeScoreHandler.Decide(x, cell),
            ApproveScore x => ApproveScoreHandler.Decide(x, cell),
            _ => throw new NotSupportedException(c.GetType().Name),
        };
        if (decision.Violation is { } v) throw new InvalidOperationException($"Raw decision refused: {v.Rule}: {v.Message}");
        var events = state is null ? [new AssessmentOpened(c.CycleId, c.CommitmentId, c.MemberCode), .. decision.Events] : decision.Events;
        var next = state;
        foreach (var e in events) next = Assessment.Fold(next, e);
        return (events, next!);
    }
}
