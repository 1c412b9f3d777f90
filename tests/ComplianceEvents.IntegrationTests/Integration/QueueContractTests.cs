using System.Text;
using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.IntegrationTests.WriteSide;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Integration;

/// <summary>The input contract holds for queued commands too: the wire body is checked as sent, before any validator or handler.</summary>
public sealed class QueueContractTests(AppFixture app) : HostTest(app)
{
    private IntegrationHost Host => For(App);

    private const string Address = $"\"cycleId\": \"{World.Cycle}\", \"commitmentId\": \"{World.C19}\", \"memberCode\": \"CA\"";

    private static string Evidence(string summary) =>
        $"{{ {Address}, \"actionDate\": \"2024-07-12\", \"summary\": \"{summary}\", \"strength\": \"Strong\", \"citations\": [] }}";

    public static TheoryData<string, string, string, string> Refusals() => new()
    {
        // Read into the record, a missing score is 0: a "partial compliance" proposal nobody made.
        { nameof(ProposeScore), $"{{ {Address}, \"rationale\": \"Strong action.\", \"evidenceIds\": [\"e1\"], \"rubricVersion\": 1 }}",
            "score", "required" },
        { nameof(RecordEvidence), Evidence(new string('x', 5_001)), "summary", "max-length" },
        { nameof(RecordEvidence), Evidence("Canada acted.\\u0000"), "summary", "control-character" },
        { nameof(RecordEvidence), Evidence("Canada acted.").Replace("\"Strong\"", "1"), "strength", "type" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task a_queued_command_breaking_the_contract_is_refused_logged_and_appends_nothing(string command, string body,
        string field, string rule)
    {
        await Host.ResetMessaging();
        await Host.BuildWorld();
        await Expect(Host.Send(World.Evidence("CA", new DateOnly(2024, 7, 12)), World.Analyst, World.AnalystRoles));
        var before = await Host.EventCount();

        var type = command == nameof(ProposeScore) ? typeof(ProposeScore) : typeof(RecordEvidence);
        await Host.SendRawToQueue(Encoding.UTF8.GetBytes(body), type);

        var expected = $" {field}: {rule} (";
        var entry = await Eventually(() => Task.FromResult(Host.Logs.Entries.FirstOrDefault(e =>
                e.Message.Contains($"Queued command {command} ") && e.Message.Contains(expected))),
            e => e.Message is not null, $"the refusal of the queued {command} ({field}: {rule})");
        Assert.Contains("refused: Invalid validation", entry.Message);
        Assert.Equal(before, await Host.EventCount());
        await using var session = Host.Store.QuerySession();
        var cell = await session.LoadAsync<Assessment>(Assessment.StreamKey(World.Cycle, World.C19, "CA"));
        Assert.Single(cell!.Evidence);
        Assert.Empty(cell.Proposals);
    }
}
