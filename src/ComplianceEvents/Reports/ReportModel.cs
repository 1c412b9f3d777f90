using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;

namespace ComplianceEvents.Reports;

/// <summary>
/// Everything a report shows, computed once (DESIGN 2.2: a pure function of the events up to S and the
/// window); the Markdown, HTML, CSV and JSON renderers only lay it out.
/// </summary>
public sealed record ReportModel(
    string CycleId, string SummitName, string HostCity, string HostCountry, DateOnly SummitStart, DateOnly SummitEnd, string? PreparedBy,
    ReportKind? Kind, ReportWindow? Window, int? Edition, string? EditionReason,
    IReadOnlyList<Member> Members, IReadOnlyList<CommitmentSection> Commitments)
{
    public string Title => $"{SummitName} {(Kind is { } k ? k.ToString() + " " : "")}Compliance Report";

    /// <summary>Table C: members by average, descending; ties keep the cycle's member order.</summary>
    public IReadOnlyList<(Member Member, Average Average)> MembersByAverage =>
        Members.Select((m, i) => (m, i, a: MemberAverage(m.Code))).Where(x => x.a.HasValue)
            .OrderByDescending(x => x.a.Value).ThenBy(x => x.i).Select(x => (x.m, x.a)).ToList();

    /// <summary>Table D: commitments by average, descending; ties keep the commitment order.</summary>
    public IReadOnlyList<CommitmentSection> CommitmentsByAverage =>
        Commitments.Where(c => c.Average.HasValue).OrderByDescending(c => c.Average.Value).ThenBy(c => c.Number).ToList();

    public Average MemberAverage(string code) => Average.Of(Commitments.SelectMany(c => c.Scored).Where(c
        => c.Member.Code == code).Select(c => c.Score!.Value));

    public Average Overall => Average.Of(Commitments.SelectMany(c => c.Scored).Select(c => c.Score!.Value));

    /// <summary>DESIGN 1.2 rule 5: highest member average minus lowest, or null with fewer than two scored members.</summary>
    public decimal? ComplianceGap
        => MembersByAverage.Count < 2 ? null : MembersByAverage[0].Average.Value - MembersByAverage[^1].Average.Value;
}

public sealed record CommitmentSection(int Number, string CommitmentId, string IssueArea, string Title, string Text, string Source,
    IReadOnlyList<string> Background, IReadOnlyList<string> Features, IReadOnlyList<Dimension> Dimensions,
        IReadOnlyList<Definition> Definitions,
    IReadOnlyList<string> InterpretiveGuidelines, Rubric? Rubric, string LeadAnalyst, string? ComplianceDirector,
        IReadOnlyList<MemberSection> Cells)
{
    public IEnumerable<MemberSection> Scored => Cells.Where(c => !c.NotApplicable && c.Score is not null);
    public Average Average => Average.Of(Scored.Select(c => c.Score!.Value));
    public string Heading => $"{Number}. {IssueArea}: {Title}";

    /// <summary>A commitment's section as its current snapshot describes it, with the cells given.</summary>
    public static CommitmentSection Of(Commitment c, IReadOnlyList<MemberSection> cells) => new(c.Number, c.CommitmentId, c.IssueArea,
        c.Title, c.Text, c.Source, c.Background, c.Features, c.Dimensions, c.Definitions, c.InterpretiveGuidelines, c.CurrentRubric,
        c.LeadAnalyst, c.ComplianceDirector, cells);
}

/// <summary>
/// One member under one commitment: the approved score that counts in the window (or N/A, or none yet), the eligible
/// evidence, and <paramref name="ScoreNote"/> when the score shown is not the current approval (DESIGN 1.2 rule 11).
/// </summary>
public sealed record MemberSection(Member Member, int? Score, bool NotApplicable, string? NotApplicableReason, string? Rationale,
    IReadOnlyList<string> Analysts, int? RubricVersion, IReadOnlyList<EvidenceItem> Evidence, int IneligibleEvidence,
        string? ScoreNote = null)
{
    public string Display => ScoreDisplay.Cell(NotApplicable, Score);
}
