namespace ComplianceEvents.Imports;

/// <summary>
/// "rows done / total" on standard error while an import runs, at most every <see cref="Interval"/> and once at the end:
/// a bar redrawn in place on a terminal, a plain line otherwise (a log keeps every line). Standard output stays the result.
/// </summary>
public sealed class ImportProgress(TextWriter writer, bool terminal, TimeProvider clock, string what = "rows", TimeSpan? interval = null)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly TimeSpan _interval = interval ?? Interval;

    private DateTimeOffset _last = clock.GetUtcNow();
    private bool _drawn, _shown;

    public static ImportProgress ForConsole(TimeProvider clock, string what = "rows") =>
        new(Console.Error, !Console.IsErrorRedirected, clock, what);

    public void Report(int done, int total)
    {
        var now = clock.GetUtcNow();
        // A short import prints nothing; a long one a line every interval, and its last count once it has shown any.
        if (now - _last < _interval && !(done >= total && _shown)) return;
        _last = now;
        _shown = true;
        done = Math.Min(done, total);
        if (!terminal)
        {
            writer.WriteLine($"import: {done}/{total} {what}");
            return;
        }
        const int width = 30;
        var filled = total == 0 ? width : done * width / total;
        writer.Write($"\rimport [{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} {what}");
        _drawn = true;
        if (done >= total) Done();
    }

    /// <summary>
    /// The one commit after the last step: a line every interval while it runs ("saving N events in one transaction, 4 s"),
    /// so a long commit is never silent; a commit shorter than the interval says nothing.
    /// </summary>
    public async Task<T> Saving<T>(int events, Task<T> commit)
    {
        var started = clock.GetUtcNow();
        while (await Task.WhenAny(commit, Task.Delay(_interval, clock)) != commit)
        {
            Done();
            writer.WriteLine($"import: saving {events} events in one transaction, {(clock.GetUtcNow() - started).TotalSeconds:0} s");
        }
        return await commit;
    }

    /// <summary>Ends the bar's line, so what follows starts on a line of its own.</summary>
    public void Done()
    {
        if (!_drawn) return;
        writer.WriteLine();
        _drawn = false;
    }
}
