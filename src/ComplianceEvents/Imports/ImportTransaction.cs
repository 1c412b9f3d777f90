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
using System.Linq.Expressions;
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
    private bool _committed, _disposed;
    private DateTimeOffset _recorded;

    private readonly CommandSlices _slices;
    /// <summary>Every stream's state (cycles, commitments, assessments), keyed by stream key, which is also its snapshot's id.</summary>
    private readonly Dictionary<string, object> _states = [];
    /// <summary>Each stream's version: as read from the store, then after the steps decided so far.</summary>
    private readonly Dictionary<string, long> _versions = [];
    private readonly Dictionary<string, CommandReceipt> _receipts = [];
    /// <summary>The receipts the steps wrote, saved at the commit (a session's unit of work costs O(n) per added document).</summary>
    private readonly List<CommandReceipt> _written = [];
    /// <summary>The checks of the commands <see cref="Precheck"/> was given, by command object, taken by <see cref="Send"/>.</summary>
    private readonly Dictionary<object, (CommandResult? Invalid, string Hash)> _checked = new(ReferenceEqualityComparer.Instance);

    private ImportTransaction(IDocumentStore store, CommandValidators validators, CommandSlices slices, DateTimeOffset now)
    {
        _store = store;
        _validators = validators;
        _slices = slices;
        _now = now;
        _connection = store.Storage.Database.CreateConnection();
    }

    /// <summary>Opens the database transaction everything the import reads and writes happens in.</summary>
    public static async Task<ImportTransaction> Begin(IDocumentStore store, CommandValidators validators, CommandSlices slices,
        DateTimeOffset now, CancellationToken ct)
    {
        var tx = new ImportTransaction(store, validators, slices, now);
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
        if (await Session.LoadAsync<Cycle>(Cycles.Cycle.StreamKey(cycleId), ct) is { } cycle) Known(cycle.Id, cycle, cycle.Version);
        foreach (var c in await Session.Query<Commitment>().Where(c => c.CycleId == cycleId).ToListAsync(ct)) Known(c.Id, c, c.Version);
        foreach (var a in await Session.Query<Assessment>().Where(a => a.CycleId == cycleId).ToListAsync(ct)) Known(a.Id, a, a.Version);
    }

    /// <summary>The receipts of the steps about to be sent, as (sender, command id), in one query.</summary>
    public async Task LoadReceipts(IEnumerable<(Actor Sender, string CommandId)> steps, CancellationToken ct)
    {
        var ids = steps.Select(s => CommandReceipt.IdFor(s.Sender, s.CommandId)).Distinct().ToArray();
        foreach (var receipt in await Session.LoadManyAsync<CommandReceipt>(ct, ids)) _receipts[receipt.Id] = receipt;
    }

    private void Known(string key, object state, long version)
    {
        _states[key] = state;
        _versions[key] = version;
    }

    public Cycle? Cycle(string cycleId) => _states.GetValueOrDefault(Cycles.Cycle.StreamKey(cycleId)) as Cycle;
    public Commitment? Commitment(string cycleId, string id) =>
        _states.GetValueOrDefault(Commitments.Commitment.StreamKey(cycleId, id)) as Commitment;
    public Assessment? Assessment(string cycleId, string id, string member) =>
        _states.GetValueOrDefault(Assessments.Assessment.StreamKey(cycleId, id, member)) as Assessment;

    /// <summary>
    /// A step's input contract, validator and payload hash depend on its command alone, not on the state: those of the
    /// commands known before the first step (all but reviews, which need their proposal's id) are computed here at once,
    /// on every core. They were more than half of the time the steps took (docs/benchmarks.md, B1d and B1e-total).
    /// </summary>
    public void Precheck(IReadOnlyList<object> commands)
    {
        var checks = new (CommandResult?, string)[commands.Count];
        Parallel.For(0, commands.Count, i => checks[i] = Checks(commands[i]));
        for (var i = 0; i < commands.Count; i++) _checked[commands[i]] = checks[i];
    }

    private (CommandResult? Invalid, string Hash) Checks(object command) =>
        (_validators.Check(command, null), CommandRunner.PayloadHash(command));

    /// <summary>
    /// One step: the same slice, validation and decision a command from any other entry point gets (CommandRunner), on the
    /// state this import holds in memory.
    /// </summary>
    public CommandResult Send(object command, Actor actor, string commandId)
    {
        // The input contract and the command's validator, as for a command from any other entry point.
        var (invalid, hash) = _checked.Remove(command, out var known) ? known : Checks(command);
        if (invalid is not null) return invalid;
        if (_slices.For(command.GetType()) is not { } slice)
            return CommandResult.Refused(RuleViolation.Conflict("step-unsupported", $"{command.GetType().Name} is not an import step."));
        var key = slice.StreamKey(command);
        var decision = slice.Decide(command, _states.GetValueOrDefault(key), new MemoryReads(_states), actor, _now);
        var type = command.GetType().Name;
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
        _written.Add(written);
        _receipts[receiptId] = written;
        return result;
    }

    /// <summary>
    /// For <c>import --bulk</c> instead of <see cref="Commit"/>: every event the steps decided, in the order they were
    /// decided, numbered from 1 in each stream (a bulk import creates every stream it writes).
    /// </summary>
    public IReadOnlyList<IEvent> DecidedEvents()
    {
        var versions = new Dictionary<string, long>();
        var events = new List<IEvent>();
        // A segment holds each of its streams' steps contiguously, in the order decided (see Send), so its streams in the
        // order first touched, segment after segment, are the decided order.
        foreach (var stream in _segments.SelectMany(s => s.PendingChanges.Streams()))
            foreach (var e in stream.Events)
            {
                e.StreamKey = stream.Key;
                e.Version = versions[stream.Key!] = versions.GetValueOrDefault(stream.Key!) + 1;
                if (e.Id == Guid.Empty) e.Id = Guid.NewGuid();
                events.Add(e);
            }
        return events;
    }

    /// <summary>For <c>import --bulk</c>: the receipts the steps wrote.</summary>
    public IReadOnlyList<CommandReceipt> DecidedReceipts() => _written;

    /// <summary>For <c>import --bulk</c>: each stream's state folded in memory, at the version the steps left it, which is
    /// what its inline snapshot holds after a commit.</summary>
    public IEnumerable<(string Key, object State)> Folded()
    {
        foreach (var (key, state) in _states)
        {
            var version = _versions[key];
            switch (state)
            {
                case Cycle c: c.Version = version; break;
                case Commitment c: c.Version = version; break;
                case Assessment a: a.Version = version; break;
            }
            yield return (key, state);
        }
    }

    /// <summary>The step's who and what, and one recorded time for the whole file (the database transaction's), which commits
    /// at one instant.</summary>
    private static void Stamp(IEvent e, Actor actor, string commandType, string commandId, DateTimeOffset recorded)
    {
        e.Timestamp = recorded;
        e.SetHeader(EventHeaders.User, actor.UserId);
        e.SetHeader(EventHeaders.Command, commandType);
        e.SetHeader(EventHeaders.CommandId, commandId);
    }

    /// <summary>One commit for the whole file, segment by segment; a concurrent writer on any of its streams makes it save
    /// nothing.</summary>
    public async Task<RuleViolation?> Commit(CancellationToken ct)
    {
        // The receipts after the events, in sessions of their own of a bounded size: adding a document to a session's unit
        // of work scans the ones already there, so one session of a whole file's receipts costs O(n^2).
        foreach (var chunk in _written.Chunk(500))
        {
            NewSegment();
            Session.InsertObjects(chunk);
        }
        try
        {
            foreach (var segment in _segments) await segment.SaveChangesAsync(ct);
            await Outages.Commit(() => _transaction.CommitAsync(ct), "the import", null);
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
        // Once: import --bulk ends the transaction before its writes (BulkLoad.Write), and the caller's using ends it again.
        if (_disposed) return;
        _disposed = true;
        foreach (var segment in _segments) await segment.DisposeAsync();
        if (!_committed && _connection.State == System.Data.ConnectionState.Open) await _transaction.RollbackAsync();
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    /// <summary>A decision's reads, answered from the states this import holds (what the store held, then what it decided).</summary>
    private sealed class MemoryReads(Dictionary<string, object> states) : IReads
    {
        public Task<T?> Load<T>(string id) where T : class => Task.FromResult(states.GetValueOrDefault(id) as T);

        public Task<bool> Any<T>(Expression<Func<T, bool>> where) where T : class =>
            Task.FromResult(states.Values.OfType<T>().Any(where.Compile()));
    }

    /// <summary>The step's events folded by their aggregate's own fold (each leaves other streams' events alone).</summary>
    private void Fold(string key, object e)
    {
        var state = _states.GetValueOrDefault(key);
        if ((Cycles.Cycle.Fold(state as Cycle, e) ?? Commitments.Commitment.Fold(state as Commitment, e)
            ?? (object?)Assessments.Assessment.Fold(state as Assessment, e)) is { } next)
            _states[key] = next;
    }
}
