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
using JasperFx.Events;
using Marten;
using Npgsql;

namespace ComplianceEvents.Imports;

/// <summary>
/// A whole import as one transaction. Every step takes the checks of its command (the slice's validator and pure decision,
/// on state folded in memory from what the store held and what earlier steps decided), and its events carry the step's
/// own user and command id, with a receipt keyed by that user: a step whose receipt the store holds is answered from it
/// (a re-import appends nothing), once its actor passes the decision's authorisation again. Nothing is written until
/// <see cref="Commit"/>, so a file with one refused line appends nothing, and a concurrent writer on any stream the file
/// touches makes the commit save nothing (each stream is appended at the version it was read at). Nothing is published:
/// imported history is not news (docs/integration.md).
/// <para>
/// The log keeps the order the steps were decided in (as-of reads, audit trails and stale approvals depend on it). Marten
/// writes a session's events stream by stream, so a step that returns to a stream after another stream's step starts a new
/// segment: a session of its own, saved after the one before, all in one database transaction.
/// </para>
/// </summary>
public sealed class ImportTransaction : IAsyncDisposable
{
    private readonly IDocumentStore _store;
    private readonly CommandValidators _validators;
    private readonly DateTimeOffset _now;
    private readonly NpgsqlConnection _connection;
    private NpgsqlTransaction _transaction = null!;
    private readonly List<IDocumentSession> _segments = [];
    /// <summary>The streams the current segment appends to, and the last one.</summary>
    private readonly HashSet<string> _inSegment = [];
    private string? _lastStream;
    private bool _committed;
    private DateTimeOffset _recorded;

    private readonly Dictionary<string, Cycle?> _cycles = [];
    private readonly Dictionary<string, Commitment?> _commitments = [];
    private readonly Dictionary<string, Assessment?> _assessments = [];
    private readonly HashSet<(string Cycle, int Number)> _numbers = [];
    /// <summary>Each stream's version: as read from the store, then after the steps decided so far.</summary>
    private readonly Dictionary<string, long> _versions = [];
    private readonly Dictionary<string, CommandReceipt> _receipts = [];

    private ImportTransaction(IDocumentStore store, CommandValidators validators, DateTimeOffset now)
    {
        _store = store;
        _validators = validators;
        _now = now;
        _connection = store.Storage.Database.CreateConnection();
    }

    /// <summary>Opens the database transaction everything the import reads and writes happens in.</summary>
    public static async Task<ImportTransaction> Begin(IDocumentStore store, CommandValidators validators, DateTimeOffset now,
        CancellationToken ct)
    {
        var tx = new ImportTransaction(store, validators, now);
        await tx._connection.OpenAsync(ct);
        tx._transaction = await tx._connection.BeginTransactionAsync(ct);
        // Marten stamps appends to existing streams with the transaction's time, new streams with the event's own: make them one.
        await using (var cmd = new NpgsqlCommand("select now()", tx._connection, tx._transaction))
            tx._recorded = (DateTime)(await cmd.ExecuteScalarAsync(ct))!;
        tx.NewSegment();
        return tx;
    }

    private IDocumentSession Session => _segments[^1];

    private void NewSegment()
    {
        _segments.Add(_store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(_transaction)));
        _inSegment.Clear();
    }

    public int Events { get; private set; }

    /// <summary>What the store holds of a cycle, read once before the steps are decided.</summary>
    public async Task Load(string cycleId, CancellationToken ct)
    {
        if (await Session.LoadAsync<Cycle>(Cycles.Cycle.StreamKey(cycleId), ct) is { } cycle) Known(_cycles, cycle.Id, cycle,
            cycle.Version);
        foreach (var c in await Session.Query<Commitment>().Where(c => c.CycleId == cycleId).ToListAsync(ct))
        {
            Known(_commitments, c.Id, c, c.Version);
            _numbers.Add((cycleId, c.Number));
        }
        foreach (var a in await Session.Query<Assessment>().Where(a => a.CycleId == cycleId).ToListAsync(ct)) Known(_assessments, a.Id, a,
            a.Version);
    }

    /// <summary>The receipts of the steps about to be sent, as (sender, command id), in one query.</summary>
    public async Task LoadReceipts(IEnumerable<(Actor Sender, string CommandId)> steps, CancellationToken ct)
    {
        var ids = steps.Select(s => CommandReceipt.IdFor(s.Sender, s.CommandId)).Distinct().ToArray();
        foreach (var receipt in await Session.LoadManyAsync<CommandReceipt>(ct, ids)) _receipts[receipt.Id] = receipt;
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
        // The input contract and the command's validator, as for a command from any other entry point.
        if (_validators.Check(command, null) is { } invalid) return invalid;
        var (key, decision) = Decide(command, actor);
        var type = command.GetType().Name;
        var hash = CommandRunner.PayloadHash(command);
        var receiptId = CommandReceipt.IdFor(actor, commandId);
        if (_receipts.TryGetValue(receiptId, out var receipt))
            return CommandRunner.Authorised(CommandRunner.Replay(receipt, commandId, type, hash), decision);
        if (decision.Violation is { } violation) return CommandResult.Refused(violation);

        if (_inSegment.Contains(key) && _lastStream != key) NewSegment();
        var exists = _versions.TryGetValue(key, out var version);
        var action = exists ? Session.Events.Append(key, decision.Events) : Session.Events.StartStream(key, decision.Events);
        // Appended at the version it was read at (or left by the segment before), which also gives the inline snapshot its
        // version: a concurrent writer's events make the commit fail, not interleave. A new stream collides with a concurrent
        // creation.
        if (_inSegment.Add(key) && exists) action.ExpectedVersionOnServer = version;
        _lastStream = key;
        var appended = action.Events.Skip(action.Events.Count - decision.Events.Count).ToList();
        foreach (var e in appended) Stamp(e, actor, type, commandId, _recorded);
        foreach (var e in decision.Events) Fold(key, e);
        Events += decision.Events.Count;
        _versions[key] = version + decision.Events.Count;
        var result = CommandResult.Accepted(key, _versions[key], appended.Select(e => e.Id).ToList(), decision.Flags)
            with { ResourceId = decision.ResourceId };
        var written = new CommandReceipt(receiptId, type, hash, result, _now);
        Session.Insert(written);
        _receipts[receiptId] = written;
        return result;
    }

    /// <summary>The step's who and what, and one recorded time for the whole file (the database transaction's), which commits
    /// at one instant.</summary>
    private static void Stamp(IEvent e, Actor actor, string commandType, string commandId, DateTimeOffset recorded)
    {
        e.Timestamp = recorded;
        e.SetHeader(CommandRunner.UserHeader, actor.UserId);
        e.SetHeader(CommandRunner.CommandHeader, commandType);
        e.SetHeader(CommandRunner.CommandIdHeader, commandId);
    }

    /// <summary>One commit for the whole file, segment by segment; a concurrent writer on any of its streams makes it save
    /// nothing.</summary>
    public async Task<RuleViolation?> Commit(CancellationToken ct)
    {
        try
        {
            foreach (var segment in _segments) await segment.SaveChangesAsync(ct);
            await _transaction.CommitAsync(ct);
            _committed = true;
            return null;
        }
        catch (Exception e) when (CommandRunner.IsConflict(e))
        {
            return RuleViolation.Conflict("stream-version",
                "Another writer changed what this file imports while it was imported; nothing was saved. Import again.");
        }
    }

    /// <summary>Without a commit, nothing the import decided is kept.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var segment in _segments) await segment.DisposeAsync();
        if (!_committed && _connection.State == System.Data.ConnectionState.Open) await _transaction.RollbackAsync();
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
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
                    SetReportWindowHandler.Check(Cycle(x.CycleId), x, actor) is { } v2 ? v2
                        : Decision.Append(SetReportWindowHandler.Decide(x)));
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
                        x.MemberCode), actor, _now,
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

    /// <summary>Each aggregate's fold leaves the events of other streams alone.</summary>
    private void Fold(string key, object e)
    {
        if (e is CommitmentSelected selected) _numbers.Add((selected.CycleId, selected.Number));
        Step(_cycles, key, e, Cycles.Cycle.Fold);
        Step(_commitments, key, e, Commitments.Commitment.Fold);
        Step(_assessments, key, e, Assessments.Assessment.Fold);
    }

    private static void Step<T>(Dictionary<string, T?> states, string key, object e, Func<T?, object, T?> fold) where T : class
    {
        if (fold(states.GetValueOrDefault(key), e) is { } next) states[key] = next;
    }
}
