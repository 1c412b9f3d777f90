using System.Text;
using System.Text.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using Marten;

namespace ComplianceEvents.IntegrationTests.Contracts;

/// <summary>
/// The stored-event contract: one sample of every event type, serialized exactly as Marten stores it, pinned
/// in a golden file with its registered type name. A failing test here means stored events would no longer
/// read back: add a new event version instead of changing this one.
/// </summary>
public sealed class StoredEventContractTests(AppFixture app) : HostTest(app)
{
    private static readonly DateOnly Day = new(2024, 7, 12);
    private static readonly DateTimeOffset At = new(2024, 12, 1, 9, 30, 0, TimeSpan.Zero);
    private static readonly Citation Cite = new("Title", "Publisher", "Ottawa", "2024-07", Day, "https://example.org/a", "Translation provided by Google Translate.");
    private static readonly Rubric Rules = new(2, "none", "some", "all", [new(1, new DimensionCondition(MinStrong: 4), "all four")]);

    public static readonly object[] Samples =
    [
        new CycleOpened("2024-apulia", "G7 Apulia Summit", "Borgo Egnazia", "Italy", new(2024, 6, 13), new(2024, 6, 15), [new("CA", "Canada")], "Prepared by"),
        new ReportWindowSet("2024-apulia", ReportKind.Interim, new(2024, 6, 15), new(2024, 12, 20), "reason"),
        new CycleAmended("2024-apulia", "G7 Apulia Summit", "Borgo Egnazia", "Italy", new(2024, 6, 13), new(2024, 6, 15), null, "typo"),
        new ReportPublished("2024-apulia", ReportKind.Final, 2, new(2024, 6, 15), new(2025, 5, 31), 1234, "ab12", "chair", At, "correction"),
        new CommitmentSelected("2024-apulia", "19", 19, "Migration", "Smuggling", "text", "source", ["background"], ["feature"],
            [new("prevent", "Prevent", "description")], [new("Prevent", "to deprive", Cite)], ["guideline"], "anali", "michal"),
        new CommitmentRenumbered("2024-apulia", "19", 19, 20, "final report"),
        new MemberMarkedNotApplicable("2024-apulia", "19", "EU", "not party"),
        new MemberApplicabilityRestored("2024-apulia", "19", "EU", "mistake"),
        new RubricPublished("2024-apulia", "19", Rules with { Version = 1 }),
        new RubricRevised("2024-apulia", "19", Rules, 1, "prose says two"),
        new AssessmentOpened("2024-apulia", "19", "CA"),
        new EvidenceRecorded("e1", Day, "On 12 July 2024, ...", ["prevent"], Strength.Strong, [Cite], ["no-window-set"]),
        new EvidenceAmended("e1", Day, "On 12 July 2024, ...", ["prevent", "counter"], Strength.Weak, [Cite with { Published = null, Accessed = null }], "re-read", []),
        new EvidenceWithdrawn("e1", "duplicate"),
        new ScoreProposed("p1", 0, "Partial.", ["e1"], 1, "tiantian", At, -1, ["disagrees-with-rubric: ..."], ["tiantian", "duja"]),
        new ProposalReturned("p1", "more evidence", "anali", At),
        new ScoreApproved("p1", 0, 1, ["e1"], "tiantian", "anali", At, "agreed"),
        new ScoreRejected("p2", "no", "anali", At),
    ];

    [Fact]
    public void every_registered_event_type_has_a_sample() =>
        Assert.Equal(Persistence.EventNames.Keys.OrderBy(t => t.Name), Samples.Select(s => s.GetType()).OrderBy(t => t.Name));

    [Fact]
    public void stored_event_json_matches_the_contract()
    {
        var serializer = App.Store.Options.Serializer();
        var text = new StringBuilder();
        foreach (var sample in Samples)
        {
            var json = JsonSerializer.Serialize(JsonDocument.Parse(serializer.ToJson(sample)).RootElement, new JsonSerializerOptions { WriteIndented = true });
            text.Append($"## {Persistence.EventNames[sample.GetType()]} ({sample.GetType().Name})\n{json}\n\n");
        }
        Golden.Verify("stored-events", text.ToString(), "txt");

        foreach (var sample in Samples)
            Assert.Equivalent(sample, serializer.FromJson(sample.GetType(), new MemoryStream(Encoding.UTF8.GetBytes(serializer.ToJson(sample)))), strict: true);
    }
}
