using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Assessments.RejectingScore;
using ComplianceEvents.Assessments.ReturningProposal;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports.AsOf;
using FluentValidation;
using JasperFx.Events;
using Marten;
using Wolverine;

namespace ComplianceEvents.Imports.ImportingAssessments;

/// <summary>
/// One assessment command of an import, sent as the person the file names, with the command id that makes it
/// idempotent. <see cref="Build"/> sees the results of earlier steps (a review needs the id its proposal got)
/// and returns null to skip the step (a review of a refused proposal).
/// </summary>
public sealed record ImportStep(string CommandId, Actor Actor, Func<Func<string, CommandResult?>, IAssessmentCommand?> Build);

/// <summary>
/// Many cells' evidence, proposals and reviews in one transaction (DatasetImporter sends 500 or more steps at a
/// time). Internal: sent by this host to itself, refused from queues (InternalMessageGuard).
/// </summary>
public sealed record ImportAssessments(IReadOnlyList<ImportStep> Steps, IReadOnlyDictionary<string, CommandResult> Earlier);

public sealed record ImportStepResult(string CommandId, CommandResult Result);

/// <summary>
/// Every step takes the path a command takes (shape validation, receipt, the cell's cycle and commitment, the
/// module's own pure decision on the cell's state, the receipt written with the events), but the whole batch
/// reads its streams and documents in one round trip and commits once: inline projections run on the batch.
/// Each event carries its own step's user and command id, as a command's events do. Imported history is not
/// announced to integration subscribers (docs/import-format.md).
/// </summary>
public static class ImportAssessmentsHandler
{
    public static async Task<IReadOnlyList<ImportStepResult>> Handle(ImportAssessments batch, IMessageContext context, IDocumentStore store,
        CommandValidators validators, TimeProvider clock, CancellationToken ct)
    {
        var results = new Dictionary<string, CommandResult>();
        CommandResult? Lookup(string id) => results.GetValueOrDefault(id) ?? batch.Earlier.GetValueOrDefault(id);
        var ordered = new List<ImportStepResult>();

        // Build what can be built before anything runs, to know which streams and documents to read.
        var known = batch.Steps.Select(s => s.Build(id => batch.Earlier.GetValueOrDefault(id))).ToList();
        var cells = known.OfType<IAssessmentCommand>().ToList();

        await using var session = store.LightweightSession();
        session.CorrelationId = context.Envelope?.CorrelationId;
        var read = session.CreateBatchQuery();
        var receiptsLoading = read.LoadMany<CommandReceipt>().ById(batch.Steps.Select(s => CommandReceipt.IdFor(s.Actor,
            s.CommandId)).ToArray());
        var cyclesLoading = cells.Select(c => c.CycleId).Distinct().ToDictionary(id => id, id => read.Load<Cycle>(Cycle.StreamKey(id)));
        var commitmentsLoading = cells.Select(c => (c.CycleId, c.CommitmentId)).Distinct()
            .ToDictionary(k => k, k => read.Load<Commitment>(Commitment.StreamKey(k.CycleId, k.CommitmentId)));
        var streamsLoading = cells.Select(Key).Distinct().ToDictionary(k => k, k => read.Events.FetchForWriting<Assessment>(k));
        await read.Execute(ct);

        var receipts = (await receiptsLoading).ToDictionary(r => r.Id);
        var streams = new Dictionary<string, IEventStream<Assessment>>();
        var states = new Dictionary<string, Assessment?>();
        foreach (var (key, loading) in streamsLoading)
        {
            streams[key] = await loading;
            states[key] = streams[key].Aggregate;
        }
        var now = clock.GetUtcNow();
        var appended = 0;
        if (streams.Values.Any(CommandRunner.IsTornRead))
            return batch.Steps.Select(step => new ImportStepResult(step.CommandId, Conflict)).ToList();

        foreach (var step in batch.Steps)
        {
            // A step whose command cannot be built (a review of a refused proposal) is left out, as the importer always did.
            if (step.Build(Lookup) is not { } cmd) continue;
            var result = await Run(step, cmd);
            results[step.CommandId] = result;
            ordered.Add(new ImportStepResult(step.CommandId, result));
        }

        if (appended > 0)
        {
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (Exception e) when (CommandRunner.IsConflict(e))
            {
                return ordered.Select(r => r.Result.IsAccepted && !r.Result.Replayed ? r with { Result = Conflict } : r).ToList();
            }
        }
        return ordered;

        async Task<CommandResult> Run(ImportStep step, IAssessmentCommand cmd)
        {
            if (validators.For(cmd.GetType()) is { } validator)
            {
                var validation = await validator.ValidateAsync(new ValidationContext<object>(cmd), ct);
                if (!validation.IsValid) return CommandRunner.Invalid(validation);
            }
            var hash = CommandRunner.PayloadHash(cmd);
            if (receipts.TryGetValue(CommandReceipt.IdFor(step.Actor, step.CommandId), out var receipt))
                return CommandRunner.Replay(receipt, step.CommandId, cmd.GetType().Name, hash);

            var key = Key(cmd);
            if (!streams.TryGetValue(key, out var stream))
                return CommandResult.Refused(RuleViolation.Conflict("step-unknown", $"Step {step.CommandId} addresses a cell its batch " +
                    $"did not read."));
            var state = states[key];
            var decision = Cells.Decide(cmd, await cyclesLoading[cmd.CycleId], await commitmentsLoading[(cmd.CycleId, cmd.CommitmentId)],
                state,
                step.Actor, now, cell => cmd switch
                {
                    RecordEvidence x => RecordEvidenceHandler.Decide(x, cell),
                    ProposeScore x => ProposeScoreHandler.Decide(x, cell),
                    ApproveScore x => ApproveScoreHandler.Decide(x, cell),
                    ReturnProposal x => ReturnProposalHandler.Decide(x, cell),
                    RejectScore x => RejectScoreHandler.Decide(x, cell),
                    _ => RuleViolation.Conflict("step-unsupported", $"{cmd.GetType().Name} is not an import step."),
                });
            if (decision.Violation is { } violation) return CommandResult.Refused(violation);

            var events = decision.Events;
            var before = stream.Events.Count;
            var startingVersion = (stream.StartingVersion ?? 0) + before;
            stream.AppendMany(events);
            foreach (var e in stream.Events.Skip(before))
            {
                e.SetHeader(CommandRunner.UserHeader, step.Actor.UserId);
                e.SetHeader(CommandRunner.CommandHeader, cmd.GetType().Name);
                e.SetHeader(CommandRunner.CommandIdHeader, step.CommandId);
            }
            foreach (var e in events)
                state = e is AssessmentOpened opened ? Assessment.Create(opened) : CycleHistory.ApplyToAssessment(state!, e);
            states[key] = state;
            appended += events.Count;

            var result = CommandResult.Accepted(key, startingVersion + events.Count, stream.Events.Skip(before).Select(e => e.Id).ToList(),
                decision.Flags)
                with { ResourceId = decision.ResourceId };
            session.Insert(new CommandReceipt(CommandReceipt.IdFor(step.Actor, step.CommandId), cmd.GetType().Name, hash, result, now));
            return result;
        }
    }

    private static readonly CommandResult Conflict = CommandResult.Refused(RuleViolation.Conflict("stream-version",
        "A cell of this batch changed concurrently; nothing of the batch was saved. Import again: what is saved is kept."));

    private static string Key(IAssessmentCommand c) => Assessment.StreamKey(c.CycleId, c.CommitmentId, c.MemberCode);
}
