using ComplianceEvents.Assessments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Reports;

namespace ComplianceEvents.Tests.Reports;

/// <summary>DESIGN 1.2 rule 11: a score counts in a window only when every evidence item it rests on is eligible there.</summary>
public sealed class WindowedScoreTests
{
    private static readonly DateTimeOffset At = new(2025, 2, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ReportWindow Interim = new(ReportKind.Interim, new(2024, 6, 15), new(2024, 12, 20));
    private static readonly ReportWindow Final = new(ReportKind.Final, new(2024, 6, 15), new(2025, 5, 20));

    private static Assessment Cell() => Assessment.Create(new AssessmentOpened("2024-apulia", "19", "CA"))
        .Apply(new EvidenceRecorded("e1", new(2024, 7, 12), "In the window.", [], Strength.Strong, [], []))
        .Apply(new EvidenceRecorded("e2", new(2025, 1, 10), "After the interim cutoff.", [], Strength.Strong, [], []));

    private static Assessment Approve(Assessment a, string id, int score, params string[] evidence) =>
        a.Apply(new ScoreProposed(id, score, $"Rationale of {id}.", evidence, 1, "tiantian", At, null, []))
         .Apply(new ScoreApproved(id, score, 1, evidence, "tiantian", "anali", At, null));

    [Fact]
    public void a_score_resting_on_evidence_after_the_cutoff_gives_way_to_the_latest_approval_that_qualifies()
    {
        var a = Approve(Approve(Cell(), "p1", 0, "e1"), "p2", 1, "e1", "e2");
        var interim = WindowedScores.For(a, Interim);
        Assert.Equal(0, interim.Score);
        Assert.Equal("Rationale of p1.", interim.Approval!.Rationale);
        Assert.Contains("e2 (2025-01-10)", interim.Note);
        Assert.Contains("shown: the earlier approval 0 (p1)", interim.Note);

        var final = WindowedScores.For(a, Final);
        Assert.Equal((1, (string?)null), (final.Score!.Value, final.Note));
        Assert.Equal(1, WindowedScores.For(a, null).Score);
    }

    [Fact]
    public void without_an_approval_that_qualifies_the_cell_shows_none_and_says_why()
    {
        var a = Approve(Cell(), "p1", 1, "e2");
        var interim = WindowedScores.For(a, Interim);
        Assert.Null(interim.Score);
        Assert.Contains("no earlier approval rests only on evidence in the window", interim.Note);
        Assert.Equal((null, null), (WindowedScores.For(Cell(), Interim).Score, WindowedScores.For(null, Interim).Note));
    }
}
