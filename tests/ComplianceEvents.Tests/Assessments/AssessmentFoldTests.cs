using ComplianceEvents.Assessments;

namespace ComplianceEvents.Tests.Assessments;

/// <summary>The cell's fold shares its evidence list between versions (O(n log n) per stream) without ever changing an earlier version.</summary>
public sealed class AssessmentFoldTests
{
    private static EvidenceRecorded Evidence(int n) =>
        new($"e{n}", new DateOnly(2024, 7, 1).AddDays(n), $"Action {n}.", ["prevent"], Strength.Strong, [], []);

    [Fact]
    public void each_version_keeps_its_own_evidence_in_recorded_order()
    {
        var versions = new List<Assessment> { Assessment.Create(new AssessmentOpened("2024-apulia", "19", "CA")) };
        for (var n = 1; n <= 300; n++) versions.Add(versions[^1].Apply(Evidence(n)));

        Assert.Empty(versions[0].Evidence);
        Assert.Equal(["e1", "e2", "e3"], versions[3].Evidence.Select(e => e.EvidenceId));
        Assert.Equal(Enumerable.Range(1, 300).Select(n => $"e{n}"), versions[300].Evidence.Select(e => e.EvidenceId));
        Assert.Equal(150, versions[150].Evidence.Count);
    }

    [Fact]
    public void a_snapshot_read_back_from_json_with_a_plain_list_folds_on()
    {
        // Marten deserializes IReadOnlyList properties as List<T>: the next event must append to it all the same.
        var stored = Assessment.Create(new AssessmentOpened("2024-apulia", "19", "CA")) with
        {
            Evidence = new List<EvidenceFacts> { new("e1", new DateOnly(2024, 7, 2), ["prevent"], Strength.Strong, 9, []) },
        };
        var next = stored.Apply(Evidence(2));
        Assert.Equal(["e1", "e2"], next.Evidence.Select(e => e.EvidenceId));
        Assert.Single(stored.Evidence);
    }
}
