using System.Collections.Concurrent;
using ComplianceEvents.Cycles;
using ComplianceEvents.Reports.Rendering;
using Marten;
using Microsoft.Net.Http.Headers;

namespace ComplianceEvents.Reports.GettingReport;

/// <summary>
/// Published editions are immutable (DESIGN 2.2): each (cycle, kind, edition, format) is regenerated from the log once and then
/// served from memory, and concurrent first requests wait for that one rendering. The key also holds the edition's content hash,
/// pin and publication time, so a database reset under the same process cannot serve another log's edition. Bounded: past
/// <paramref name="budget"/> characters (64 MB of text by default) the least recently served renderings are dropped, down to
/// half of it, and regenerated if asked for again.
/// `verify` never reads here: it regenerates from the log every time.
/// </summary>
public sealed class EditionRenderings(IDocumentStore store, long budget = 64L * 1024 * 1024)
{
    private sealed record Key(string CycleId, ReportKind Kind, int Edition, ReportFormat Format, string ContentHash, long Pin,
        DateTimeOffset PublishedAt);

    private sealed class Entry(Lazy<Task<string>> text)
    {
        public Lazy<Task<string>> Text { get; } = text;
        public long LastServed;
    }

    private readonly ConcurrentDictionary<Key, Entry> _entries = new();
    private long _clock;
    private long _characters;
    private int _renders;

    /// <summary>How many renderings this process has made (a test's window onto "at most once").</summary>
    public int Renders => _renders;

    /// <summary>A strong validator of one edition in one format: the SHA-256 of its canonical Markdown, and the format.</summary>
    public static EntityTagHeaderValue ETag(ReportPublished edition, ReportFormat format) =>
        new($"\"{edition.ContentHash}.{format.ToString().ToLowerInvariant()}\"");

    /// <summary>True when the request's If-None-Match names <paramref name="etag"/> (or is *): answer 304 Not Modified.</summary>
    public static bool NotModified(HttpRequest request, EntityTagHeaderValue etag) =>
        request.GetTypedHeaders().IfNoneMatch is { Count: > 0 } tags
        && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false));

    /// <summary>The edition rendered in <paramref name="format"/>: from memory, or regenerated from its pin once.</summary>
    public async Task<string> Get(string cycleId, ReportPublished edition, ReportFormat format, CancellationToken ct)
    {
        var key = new Key(cycleId, edition.Kind, edition.Edition, format, edition.ContentHash, edition.PinnedSequence, edition.PublishedAt);
        var entry = _entries.GetOrAdd(key, k => new Entry(new Lazy<Task<string>>(() => Render(k))));
        entry.LastServed = Interlocked.Increment(ref _clock);
        try
        {
            return await entry.Text.Value.WaitAsync(ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            _entries.TryRemove(new KeyValuePair<Key, Entry>(key, entry));
            throw;
        }
    }

    // Not the request's session or token: waiters share this rendering, and the first of them may go away.
    private async Task<string> Render(Key key)
    {
        Interlocked.Increment(ref _renders);
        await using var session = store.QuerySession();
        var found = await Reporting.Edition(session, key.CycleId, key.Kind, key.Edition, CancellationToken.None)
            ?? throw new InvalidOperationException($"{key.CycleId} {key.Kind} edition {key.Edition} vanished from the log");
        var text = ReportFormats.Render(found.Model, key.Format);
        if (Interlocked.Add(ref _characters, text.Length) > budget) Evict();
        return text;
    }

    private void Evict()
    {
        foreach (var (key, entry) in _entries.Where(e => e.Value.Text.IsValueCreated && e.Value.Text.Value.IsCompletedSuccessfully)
            .OrderBy(e => e.Value.LastServed).ToList())
        {
            if (Interlocked.Read(ref _characters) <= budget / 2) return;
            if (_entries.TryRemove(new KeyValuePair<Key, Entry>(key, entry)))
                Interlocked.Add(ref _characters, -entry.Text.Value.Result.Length);
        }
    }
}
