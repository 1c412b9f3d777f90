using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Reports.AsOf;
using JasperFx.Events;

namespace ComplianceEvents.Tests.Assessments;

/// <summary>Issue 20, item 3: the cell's snapshot holds facts and counts; its text is folded beside it, from the same events.</summary>
public sealed class LeanAssessmentTests
{
    private const string Key = "assessment:2024-apulia:19:CA";
    private static readonly Citation Source = new("Title", "Publisher", null, "2024-07", new DateOnly(2024, 8, 1), "https://example.org/a");

    private static readonly object[] Log =
    [
        new AssessmentOpened("2024-apulia", "19", "CA"),
        new EvidenceRecorded("e1", new(2024, 7, 12), "First text.", ["prevent"], Strength.Strong, [Source], ["no-window-set"]),
        new EvidenceRecorded("e2", new(2024, 7, 20), "Second.", [], Strength.Weak, [], ["no-citation"]),
        new ScoreProposed("p1", 0, "Partial.", ["e1", "e2"], 1, "tiantian", DateTimeOffset.UnixEpoch, null, []),
        new ScoreApproved("p1", 0, 1, ["e1", "e2"], "tiantian", "anali", DateTimeOffset.UnixEpoch, null),
        new EvidenceAmended("e1", new(2024, 7, 13), "Corrected text, longer.", ["counter"], Strength.Weak, [], "Typo.", []),
        new EvidenceWithdrawn("e2", "Duplicate."),
    ];

    private static Assessment? FoldAll(IEnumerable<object> events) => events.Aggregate((Assessment?)null, Assessment.Fold);

    [Fact]
    public void the_fold_keeps_facts_and_character_counts_and_no_text()
    {
        var a = FoldAll(Log)!;
        var e1 = a.FindEvidence("e1")!;
        Assert.Equal((new DateOnly(2024, 7, 13), 2, (long)"Corrected text, longer.".Length), (e1.ActionDate, e1.Revision, e1.Characters));
        Assert.Equal(["counter"], e1.Dimensions);
        Assert.Empty(e1.Flags);
        Assert.True(a.FindEvidence("e2") is { Withdrawn: true, WithdrawalReason: "Duplicate.", Characters: 7 });
        Assert.Equal(["e1"], a.CurrentEvidence.Select(e => e.EvidenceId));
        Assert.Equal(["e1", "e2"], a.Approved!.EvidenceChangedSince);
        var first = FoldAll(Log.Take(2))!.FindEvidence("e1")!;
        Assert.Equal(EvidenceContent.Characters("First text.", [Source]), first.Characters);
    }

    [Fact]
    public void each_aggregate_leaves_events_of_other_streams_alone()
    {
        var a = FoldAll(Log.Take(3))!;
        Assert.Same(a, Assessment.Fold(a,
            new ReportWindowSet("2024-apulia", ReportKind.Interim, new(2024, 6, 15), new(2024, 12, 20), null)));
        Assert.Null(Assessment.Fold(null, Log[1]));
        Assert.Null(Cycle.Fold(null, Log[1]));
        Assert.Null(Commitment.Fold(null, Log[0]));
    }

    [Fact]
    public void the_text_of_an_item_is_its_latest_recording_or_amendment()
    {
        Assert.Equal(("assessment:2024-apulia:19:CA:e1", "2024-apulia", "First text."),
            EvidenceText.From(Key, Log[1]) is { } t ? (t.Id, t.CycleId, t.Summary) : default);
        Assert.Equal("Corrected text, longer.", EvidenceText.From(Key, Log[5])!.Summary);
        Assert.Null(EvidenceText.From(Key, Log[6]));
        Assert.Null(EvidenceText.From(Key, Log[0]));
    }

    [Fact]
    public void the_as_of_fold_gives_reports_each_item_with_its_facts_and_latest_text()
    {
        var opened = new CycleOpened("2024-apulia", "G7 Apulia", "Apulia", "Italy", new(2024, 6, 13), new(2024, 6, 15),
            [new Member("CA", "Canada")], null);
        var events = new List<IEvent> { Event("cycle:2024-apulia", opened, 1) };
        events.AddRange(Log.Select((e, i) => Event(Key, e, i + 2)));
        var state = CycleHistory.Fold(events);

        var cell = state.Assessments[("19", "CA")];
        var shown = Assert.Single(state.CurrentEvidence(cell));
        Assert.Equal(("e1", new DateOnly(2024, 7, 13), "Corrected text, longer.", Strength.Weak, 2, false),
            (shown.EvidenceId, shown.ActionDate, shown.Summary, shown.Strength, shown.Revision, shown.Withdrawn));
        Assert.Equal(["counter"], shown.Dimensions);
        Assert.Empty(shown.Citations);
        Assert.Equal(2, state.Texts.Count);
        Assert.Equal("G7 Apulia", state.Cycle!.SummitName);
    }

    [Fact]
    public void an_item_without_its_text_is_an_error_not_an_empty_summary()
    {
        var cell = FoldAll(Log.Take(2))!;
        var e = Assert.Throws<InvalidOperationException>(() =>
            EvidenceItem.Of(cell, cell.Evidence, new Dictionary<string, EvidenceText>()));
        Assert.Contains("e1", e.Message);
    }

    [Theory]
    [InlineData("assessment:2024-apulia:19:CA", "2024-apulia", "19", "CA")]
    [InlineData("assessment:2017-taormina:3a:EU", "2017-taormina", "3a", "EU")]
    public void a_cell_key_parses_the_stream_key_and_prints_it_back(string key, string cycle, string commitment, string member)
    {
        var cell = CellKey.Parse(key);
        Assert.Equal(new CellKey(cycle, commitment, member), cell);
        Assert.Equal(key, cell.ToString());
    }

    [Theory]
    [InlineData("cycle:2024-apulia")]
    [InlineData("commitment:2024-apulia:19")]
    [InlineData("assessment:2024-apulia:19:CA:extra")]
    public void a_key_of_another_stream_is_not_a_cell(string key) => Assert.Throws<FormatException>(() => CellKey.Parse(key));

    private static IEvent Event(string stream, object data, long sequence)
    {
        var e = (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(data.GetType()), data)!;
        e.StreamKey = stream;
        e.Sequence = sequence;
        return e;
    }
}
