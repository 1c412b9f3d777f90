using System.Text;
using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Commitments;
using ComplianceEvents.Commitments.PublishingRubric;
using ComplianceEvents.Commitments.RevisingRubric;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.Cycles;
using ComplianceEvents.Cycles.OpeningCycle;
using ComplianceEvents.Cycles.SettingReportWindow;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Benchmarks.Data;

/// <summary>
/// Realistic synthetic content shaped like the seeds (data/seeds): G7 members, commitments with four
/// dimensions and a dimension-rule rubric, evidence paragraphs of ~400 characters with two citations of
/// ~600 bytes together, proposals with a rationale, approvals by the commitment's lead analyst.
/// Deterministic: the same seed gives the same commands.
/// </summary>
public sealed class Synthetic(int seed)
{
    public const int CommitmentsPerCycle = 20;
    public const string Director = "director";
    public static readonly Actor DirectorActor = new(Director, [Roles.ComplianceDirector]);

    public static readonly IReadOnlyList<Member> G7 =
    [
        new("CA", "Canada"), new("FR", "France"), new("DE", "Germany"), new("IT", "Italy"),
        new("JP", "Japan"), new("UK", "United Kingdom"), new("US", "United States"), new("EU", "European Union"),
    ];

    public static readonly IReadOnlyList<Dimension> Dimensions =
    [
        new("prevent", "Prevent"), new("counter", "Counter"), new("dismantle", "Dismantle Networks"), new("disrupt", "Disrupt Business Models"),
    ];

    public static readonly DateOnly SummitStart = new(2024, 6, 13);
    public static readonly DateOnly SummitEnd = new(2024, 6, 15);
    public static readonly DateOnly WindowStart = new(2024, 6, 15);
    public static readonly DateOnly InterimCutoff = new(2024, 12, 20);
    public static readonly DateOnly FinalCutoff = new(2025, 5, 15);

    private readonly Random _rng = new(seed);

    private static readonly string[] Words =
    [
        "government", "announced", "funding", "migrant", "smuggling", "trafficking", "partnership", "law", "enforcement", "border",
        "agency", "national", "security", "strategy", "investigation", "networks", "criminal", "prosecution", "cooperation", "ministers",
        "international", "organized", "crime", "protocol", "convention", "measures", "support", "victims", "capacity", "training",
        "information", "sharing", "intelligence", "operation", "joint", "task", "force", "financial", "flows", "sanctions",
    ];

    private static readonly string[] Publishers =
    [
        "Public Safety Canada", "Ministère de l'Intérieur", "Bundesministerium des Innern und für Heimat", "Ministero dell'Interno",
        "Ministry of Foreign Affairs of Japan", "Home Office", "U.S. Department of Homeland Security", "European Commission",
    ];

    private static readonly string[] Places = ["Ottawa", "Paris", "Berlin", "Rome", "Tokyo", "London", "Washington D.C.", "Brussels"];

    public static string LeadOf(string commitmentId) => $"lead-{commitmentId}";
    public static Actor LeadActor(string commitmentId) => new(LeadOf(commitmentId), [Roles.LeadAnalyst]);
    public static Actor AnalystActor(string member) => new($"analyst-{member.ToLowerInvariant()}", [Roles.Analyst]);
    public static string CommitmentId(int number) => number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string Sentence(int approxChars)
    {
        var sb = new StringBuilder();
        while (sb.Length < approxChars)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(Words[_rng.Next(Words.Length)]);
        }
        sb[0] = char.ToUpperInvariant(sb[0]);
        return sb.Append('.').ToString();
    }

    public OpenCycle OpenCycle(string cycleId) =>
        new(cycleId, $"G7 Summit {cycleId}", "Borgo Egnazia", "Italy", SummitStart, SummitEnd, G7, "the G7 Research Group (synthetic)");

    public static IEnumerable<SetReportWindow> Windows(string cycleId) =>
    [
        new(cycleId, ReportKind.Interim, WindowStart, InterimCutoff),
        new(cycleId, ReportKind.Final, WindowStart, FinalCutoff),
    ];

    public SelectCommitment SelectCommitment(string cycleId, int number) =>
        new(cycleId, CommitmentId(number), number, "Migration and Refugees", $"Commitment {number}: {Sentence(60)}",
            Sentence(300), "G7 Leaders' Communiqué", LeadOf(CommitmentId(number)), Director,
            Dimensions: Dimensions, InterpretiveGuidelines: [Sentence(250), Sentence(250)], Background: [Sentence(400)], Features: [Sentence(200)]);

    public static RubricInput Rubric(int version) => new(
        $"(v{version}) No action, weak action in only one dimension, or action contradictory to the commitment.",
        $"(v{version}) Strong action in one to three dimensions, or weak action in at least {(version == 1 ? "three" : "two")}.",
        $"(v{version}) Strong action in all four dimensions.",
        [
            new(-1, new DimensionCondition(MinContradictory: 1)),
            new(1, new DimensionCondition(MinStrong: 4)),
            new(0, new DimensionCondition(MinStrong: 1, MaxStrong: 3)),
            new(0, new DimensionCondition(MaxStrong: 0, MinWeak: version == 1 ? 3 : 2)),
            new(-1, new DimensionCondition(MaxStrong: 0, MaxWeak: version == 1 ? 2 : 1)),
        ]);

    public static PublishRubric PublishRubric(string cycleId, int number) => new(cycleId, CommitmentId(number), Rubric(1));

    public static ReviseRubric ReviseRubric(string cycleId, int number, int version) =>
        new(cycleId, CommitmentId(number), Rubric(version), "The prose and the table disagreed on the weak-action threshold.");

    /// <summary>Everything a cycle needs before its cells are scored, in order, each with its actor.</summary>
    public IEnumerable<(object Command, Actor Actor)> CycleSetup(string cycleId, int commitments = CommitmentsPerCycle)
    {
        yield return (OpenCycle(cycleId), DirectorActor);
        foreach (var w in Windows(cycleId)) yield return (w, DirectorActor);
        for (var n = 1; n <= commitments; n++)
        {
            yield return (SelectCommitment(cycleId, n), DirectorActor);
            yield return (PublishRubric(cycleId, n), LeadActor(CommitmentId(n)));
        }
    }

    public DateOnly ActionDate() => WindowStart.AddDays(_rng.Next(-5, FinalCutoff.DayNumber - WindowStart.DayNumber));

    public IReadOnlyList<Citation> Citations(DateOnly actionDate)
    {
        var i = _rng.Next(Publishers.Length);
        return
        [
            new(Sentence(90), Publishers[i], Places[i], actionDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                actionDate.AddDays(_rng.Next(1, 90)), $"https://www.example.gov/{Places[i].ToLowerInvariant().Replace(' ', '-')}/news/{actionDate:yyyy/MM}/{_rng.NextInt64():x16}.html"),
            new(Sentence(70), Publishers[(i + 3) % Publishers.Length], null, actionDate.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
                actionDate.AddDays(_rng.Next(1, 90)), $"https://news.example.org/{actionDate:yyyy}/{_rng.Next(100000, 999999)}", "Translation provided by Google Translate."),
        ];
    }

    /// <summary>
    /// Characters of text (EvidenceContent.Fields) each of <paramref name="evidencePerCell"/> items may hold so that the cell
    /// stays within its budget (docs/api.md "Limits"): a cell of the seeds' ~850 characters per item fits up to 150 items.
    /// </summary>
    public static int ItemBudget(int evidencePerCell) => Assessment.MaxEvidenceCharacters / Math.Max(1, evidencePerCell);

    /// <summary>
    /// An evidence item dated <paramref name="date"/> (a random one in the window when null) of at most
    /// <paramref name="maxCharacters"/> characters of text: the summary (~400 characters) is shortened to fit.
    /// </summary>
    public RecordEvidence Evidence(string cycleId, string commitmentId, string member, DateOnly? date = null,
        int maxCharacters = int.MaxValue)
    {
        var day = date ?? ActionDate();
        var dims = Dimensions.Where(_ => _rng.Next(3) == 0).Select(d => d.Code).DefaultIfEmpty(Dimensions[_rng.Next(4)].Code).ToList();
        var strength = (Strength)_rng.Next(3) switch { Strength.Contradictory when _rng.Next(4) > 0 => Strength.Strong, var s => s };
        var citations = Citations(day);
        var prefix = $"On {day:d MMMM yyyy}, the {G7.First(m => m.Code == member).Name} ";
        var cited = EvidenceContent.Fields("", citations).Sum(f => f.Characters);
        // Sentence(n) ends past n by at most one word and a full stop.
        var room = (int)Math.Min(360, (long)maxCharacters - cited - prefix.Length - Words.Max(w => w.Length) - 2);
        if (room < 20) throw new ArgumentOutOfRangeException(nameof(maxCharacters), $"{maxCharacters} characters leave no summary.");
        return new RecordEvidence(cycleId, commitmentId, member, day, prefix + Sentence(room), citations, dims, strength);
    }

    public ProposeScore Proposal(string cycleId, string commitmentId, string member, IReadOnlyList<string> evidenceIds, int rubricVersion = 1) =>
        new(cycleId, commitmentId, member, _rng.Next(-1, 2), Sentence(450), evidenceIds, rubricVersion);

    public static ApproveScore Approval(string cycleId, string commitmentId, string member, string proposalId) =>
        new(cycleId, commitmentId, member, proposalId, "Consistent with the rubric.");

    public static IReadOnlyList<string> EvidenceIds(int count) => Enumerable.Range(1, count).Select(n => $"e{n}").ToList();

    /// <summary>One cell's scoring through the command path: evidence e1..eN, a proposal resting on all of it, its approval.</summary>
    public IEnumerable<(object Command, Actor Actor)> CellWork(string cycleId, string commitmentId, string member, int evidence)
    {
        for (var i = 0; i < evidence; i++)
            yield return (Evidence(cycleId, commitmentId, member, maxCharacters: ItemBudget(evidence)), AnalystActor(member));
        yield return (Proposal(cycleId, commitmentId, member, EvidenceIds(evidence)), AnalystActor(member));
        yield return (Approval(cycleId, commitmentId, member, "p1"), LeadActor(commitmentId));
    }
}
