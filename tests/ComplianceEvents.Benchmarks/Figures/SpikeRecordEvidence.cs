using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using JasperFx.Events;
using Marten;
using Marten.Events;
using Wolverine.Marten;
using Wolverine.Persistence;

namespace ComplianceEvents.Benchmarks.Figures;

/// <summary>
/// Issue 20's spike (ADR 0005): RecordEvidence as a message of Wolverine's aggregate handler workflow, for the bench host only.
/// The stream and the documents the decision reads are named by members of the message, so Wolverine can find them:
/// <see cref="AssessmentId"/> for <c>[WriteAggregate]</c>, the cycle, commitment and receipt keys for <c>[Entity]</c>.
/// The actor and the command id travel in the message (the product passes them as a <see cref="CommandContext"/>).
/// </summary>
public sealed record SpikeRecordEvidence(RecordEvidence Command, Actor Actor, string CommandId)
{
    public string AssessmentId => Assessment.StreamKey(Command.CycleId, Command.CommitmentId, Command.MemberCode);
    public string CycleKey => Cycle.StreamKey(Command.CycleId);
    public string CommitmentKey => Commitment.StreamKey(Command.CycleId, Command.CommitmentId);
    public string ReceiptKey => CommandReceipt.IdFor(Actor, CommandId);

    /// <summary>
    /// The answer, written by the handler: the workflow treats every value a handler returns as an event to append, so a
    /// typed answer cannot be the handler's return value (InvokeAsync runs in process, on this very object).
    /// </summary>
    public CommandResult? Result { get; set; }
}

/// <summary>
/// The same decision as the product's slice (<see cref="Cells.Decide"/> with <see cref="RecordEvidenceHandler.Decide"/>), run by
/// Wolverine: it fetches the stream for writing and loads the cycle, the commitment and the sender's receipt (Wolverine batches
/// these loads), calls this method, and its transactional middleware commits the session (events, receipt, outbox) once.
/// </summary>
public static class SpikeRecordEvidenceHandler
{
    public static void Handle(SpikeRecordEvidence message,
        [WriteAggregate(nameof(SpikeRecordEvidence.AssessmentId), Required = false)] IEventStream<Assessment> stream,
        [Entity(nameof(SpikeRecordEvidence.CycleKey), Required = false)] Cycle? cycle,
        [Entity(nameof(SpikeRecordEvidence.CommitmentKey), Required = false)] Commitment? commitment,
        [Entity(nameof(SpikeRecordEvidence.ReceiptKey), Required = false)] CommandReceipt? receipt,
        IDocumentSession session, CommandValidators validators, TimeProvider clock)
    {
        var (cmd, actor) = (message.Command, message.Actor);
        if (validators.Check(cmd, null) is { } invalid)
        {
            message.Result = invalid;
            return;
        }
        var commandType = nameof(RecordEvidence);
        var payloadHash = CommandRunner.PayloadHash(cmd);
        var decision = Cells.Decide(cmd, cycle, commitment, stream.Aggregate, actor, clock.GetUtcNow(),
            cell => RecordEvidenceHandler.Decide(cmd, cell));
        if (receipt is not null)
        {
            message.Result = CommandRunner.Authorised(CommandRunner.Replay(receipt, message.CommandId, commandType, payloadHash), decision);
            return;
        }
        if (decision.Violation is { } violation)
        {
            message.Result = CommandResult.Refused(violation);
            return;
        }

        session.LastModifiedBy = actor.UserId;
        session.SetHeader(EventHeaders.User, actor.UserId);
        session.SetHeader(EventHeaders.Command, commandType);
        session.SetHeader(EventHeaders.CommandId, message.CommandId);
        stream.AppendMany(decision.Events);
        var result = CommandResult.Accepted(message.AssessmentId, (stream.StartingVersion ?? 0) + decision.Events.Count,
            stream.Events.Select(e => e.Id).ToList(), decision.Flags) with { ResourceId = decision.ResourceId };
        session.Insert(new CommandReceipt(message.ReceiptKey, commandType, payloadHash, result, clock.GetUtcNow()));
        message.Result = result;
    }
}
