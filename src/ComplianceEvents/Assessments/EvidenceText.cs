using System.Data;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace ComplianceEvents.Assessments;

/// <summary>An evidence item as reports and the cell's GET show it: its facts (<see cref="EvidenceFacts"/>) with its text.</summary>
public sealed record EvidenceItem(string EvidenceId, DateOnly ActionDate, string Summary, IReadOnlyList<string> Dimensions,
    Strength? Strength, IReadOnlyList<Citation> Citations, IReadOnlyList<string> Flags, int Revision = 1,
    bool Withdrawn = false, string? WithdrawalReason = null)
{
    public static EvidenceItem From(EvidenceFacts f, EvidenceText? text) => text is null
        ? throw new InvalidOperationException($"Evidence {f.EvidenceId} has no text document; the read models need a rebuild.")
        : new(f.EvidenceId, f.ActionDate, text.Summary, f.Dimensions, f.Strength, text.Citations, f.Flags, f.Revision, f.Withdrawn,
            f.WithdrawalReason);

    /// <summary>Every item of a cell, in its order, with the text found by <see cref="EvidenceText.Key"/>.</summary>
    public static IReadOnlyList<EvidenceItem> Of(Assessment a, IEnumerable<EvidenceFacts> facts,
        IReadOnlyDictionary<string, EvidenceText> texts) =>
        facts.Select(f => From(f, texts.GetValueOrDefault(EvidenceText.Key(a.Id, f.EvidenceId)))).ToList();
}

/// <summary>
/// The text of one evidence item (summary and citations) as last recorded or amended, kept out of the cell's snapshot so
/// that a command on the cell reads and writes only what decides (<see cref="Assessment"/>). Withdrawing keeps the text.
/// </summary>
public sealed record EvidenceText(string Id, string CycleId, string StreamKey, string Summary, IReadOnlyList<Citation> Citations)
{
    public static string Key(string streamKey, string evidenceId) => $"{streamKey}:{evidenceId}";

    /// <summary>The text an event of the cell's stream sets, or null for every other event.</summary>
    public static EvidenceText? From(string streamKey, object e) => e switch
    {
        EvidenceRecorded x => new(Key(streamKey, x.EvidenceId), CellKey.Parse(streamKey).CycleId, streamKey, x.Summary, x.Citations),
        EvidenceAmended x => new(Key(streamKey, x.EvidenceId), CellKey.Parse(streamKey).CycleId, streamKey, x.Summary, x.Citations),
        _ => null,
    };

    /// <summary>
    /// Runs a read on one database snapshot (repeatable read): a cell's snapshot and its text documents are separate rows, and
    /// the statements of one batch would otherwise each see the commits made between them.
    /// </summary>
    public static async Task<T> OneSnapshot<T>(IDocumentStore store, Func<IQuerySession, Task<T>> read, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using var session = store.QuerySession(Marten.Services.SessionOptions.ForTransaction(tx));
        return await read(session);
    }
}

/// <summary>Writes one <see cref="EvidenceText"/> per evidence item, inline with the events (no read before the write).</summary>
public sealed partial class EvidenceTextProjection : EventProjection
{
    public EvidenceTextProjection()
    {
        Name = nameof(EvidenceText);
        IncludeType<EvidenceRecorded>();
        IncludeType<EvidenceAmended>();
    }

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        if (EvidenceText.From(e.StreamKey!, e.Data) is { } text) operations.Store(text);
        return ValueTask.CompletedTask;
    }
}
