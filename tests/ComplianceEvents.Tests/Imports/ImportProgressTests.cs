using ComplianceEvents.Imports;

namespace ComplianceEvents.Tests.Imports;

public sealed class ImportProgressTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void a_long_import_reports_rows_done_of_total_every_interval_and_at_the_end_and_a_short_one_nothing()
    {
        var clock = new Clock();
        var log = new StringWriter();
        var progress = new ImportProgress(log, terminal: false, clock);
        for (var row = 1; row <= 300; row++)
        {
            clock.Now += TimeSpan.FromMilliseconds(100); // 30 s in all
            progress.Report(row, 300);
        }
        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("import: 20/300 rows", lines[0]);
        Assert.Equal("import: 300/300 rows", lines[^1]);
        Assert.InRange(lines.Length, 14, 16);

        var quiet = new StringWriter();
        var shortOne = new ImportProgress(quiet, terminal: false, clock);
        for (var row = 1; row <= 10; row++) shortOne.Report(row, 10);
        Assert.Equal("", quiet.ToString());
    }

    [Fact]
    public void on_a_terminal_the_bar_is_redrawn_in_place_and_ends_its_line()
    {
        var clock = new Clock();
        var screen = new StringWriter();
        var progress = new ImportProgress(screen, terminal: true, clock);
        clock.Now += ImportProgress.Interval;
        progress.Report(150, 300);
        progress.Report(300, 300);
        Assert.Equal("\rimport [###############...............] 150/300 rows\rimport [##############################] 300/300 rows"
            + Environment.NewLine, screen.ToString());
    }

    /// <summary>Completes the "commit" once the progress has written <paramref name="lines"/> lines.</summary>
    private sealed class Lines(int lines, TaskCompletionSource<string?> commit) : StringWriter
    {
        private int _seen;
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (++_seen == lines) commit.TrySetResult("committed");
        }
    }

    [Fact]
    public async Task a_long_commit_says_it_is_saving_every_interval_until_it_ends()
    {
        var commit = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new Lines(2, commit);
        var progress = new ImportProgress(log, terminal: false, TimeProvider.System, "steps", TimeSpan.FromMilliseconds(10));
        Assert.Equal("committed", await progress.Saving(1234, commit.Task));
        var lines = log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^import: saving 1234 events in one transaction, \d+ s$", l));
    }

    [Fact]
    public async Task a_commit_shorter_than_the_interval_says_nothing()
    {
        var log = new StringWriter();
        var progress = new ImportProgress(log, terminal: false, TimeProvider.System, "steps", TimeSpan.FromHours(1));
        Assert.Equal(7, await progress.Saving(10, Task.FromResult(7)));
        Assert.Equal("", log.ToString());
    }
}
