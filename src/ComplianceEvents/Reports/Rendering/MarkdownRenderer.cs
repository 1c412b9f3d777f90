using System.Globalization;
using System.Text;
using ComplianceEvents.Commitments;

namespace ComplianceEvents.Reports.Rendering;

/// <summary>
/// The canonical rendering (DESIGN 2.2): editions store the SHA-256 of these bytes. Deterministic:
/// no clock, no culture, "\n" line endings. The parts, their order and the footnote numbers are <see cref="ReportOutline"/>'s.
/// </summary>
public sealed class MarkdownRenderer : IReportLayout
{
    private readonly StringBuilder _md = new();

    private MarkdownRenderer() { }

    public static string Render(ReportModel m)
    {
        var renderer = new MarkdownRenderer();
        ReportOutline.Walk(m, renderer);
        return renderer._md.ToString();
    }

    private void Line(string text = "") => _md.Append(text).Append('\n');

    void IReportLayout.TitlePage(ReportModel m)
    {
        Line($"# {m.Title}");
        Line();
        if (m.Window is { } w) { Line($"{Wording.Day(w.Start)} to {Wording.Day(w.Cutoff)}"); Line(); }
        if (m.PreparedBy is { Length: > 0 } by) { Line($"Prepared by {by}"); Line(); }
        Line($"Summit: {m.SummitName}, {m.HostCity}, {m.HostCountry}, {Wording.Day(m.SummitStart)} to {Wording.Day(m.SummitEnd)}");
        Line();
        if (m.Edition is { } edition)
        {
            Line($"Edition {edition}{(m.EditionReason is { Length: > 0 } r ? $" (correction: {r})" : "")}");
            Line();
        }
    }

    void IReportLayout.Summary(ReportModel m)
    {
        Line("## Table A: Priority Commitments Selected for Assessment");
        Line();
        Line("| # | Issue area | Commitment | Source |");
        Line("|---|---|---|---|");
        foreach (var c in m.Commitments) Line($"| {c.Number} | {Cell(c.IssueArea)} | {Cell(c.Title)}: \"{Cell(c.Text)}\" | " +
            $"{Cell(c.Source)} |");
        Line();

        Line($"## Table B: {m.SummitName} {(m.Kind?.ToString() + " ").TrimStart()}Compliance Scores");
        Line();
        Line($"| Commitment | {string.Join(" | ", m.Members.Select(x => x.Name))} | Average |");
        Line($"|---|{string.Concat(m.Members.Select(_ => "---|"))}---|");
        foreach (var c in m.Commitments) Line($"| {Cell(c.Heading)} | {string.Join(" | ", c.Cells.Select(x => x.Display))} | " +
            $"{c.Average.DisplayWithPercent} |");
        Line($"| Average | {string.Join(" | ", m.Members.Select(x => m.MemberAverage(x.Code).Display))} | {m.Overall.DisplayWithPercent} " +
            $"|");
        Line();

        Line("## Table C: Compliance Scores by Member");
        Line();
        Line("| Member | Average |");
        Line("|---|---|");
        foreach (var (member, average) in m.MembersByAverage) Line($"| {member.Name} | {average.DisplayWithPercent} |");
        Line();

        Line("## Table D: Compliance Scores by Commitment");
        Line();
        Line("| Commitment | Average |");
        Line("|---|---|");
        foreach (var c in m.CommitmentsByAverage) Line($"| {Cell(c.Heading)} | {c.Average.DisplayWithPercent} |");
        Line();
        if (m.ComplianceGap is { } gap)
        {
            Line($"Compliance gap between the highest and lowest scoring members: {gap.ToString("0.00", CultureInfo.InvariantCulture)}");
            Line();
        }
    }

    void IReportLayout.CommitmentStart(CommitmentSection c)
    {
        Line($"## {c.Heading}");
        Line();
        Line($"> \"{c.Text}\"");
        Line(">");
        Line($"> {c.Source}");
        Line();
        Line("### Assessment");
        Line();
        Line("| | No Compliance | Partial Compliance | Full Compliance |");
        Line("|---|---|---|---|");
        foreach (var x in c.Cells)
            Line(x.NotApplicable ? $"| {x.Member.Name} | N/A | | |"
                : $"| {x.Member.Name} | {(x.Score == -1 ? "-1" : "")} | {(x.Score == 0 ? "0" : "")} | {(x.Score == 1 ? "+1" : "")} |");
        Line($"| Average | {c.Average.DisplayWithPercent} | | |");
        Line();
    }

    void IReportLayout.Paragraphs(string heading, IReadOnlyList<string> paragraphs) => Paragraphs(heading, paragraphs);

    private void Paragraphs(string heading, IReadOnlyList<string> paragraphs)
    {
        Line($"### {heading}");
        Line();
        foreach (var p in paragraphs) { Line(p); Line(); }
    }

    void IReportLayout.Definitions(IReadOnlyList<Definition> definitions, Footnotes footnotes)
    {
        Paragraphs("Definitions", definitions.Select((d, i) => $"\"{d.Term}\" is understood to mean \"{d.Meaning}\"" +
            Refs(footnotes.Refs[i])).ToList());
        Notes(footnotes);
    }

    void IReportLayout.Guidelines(CommitmentSection c) =>
        Paragraphs("General Interpretive Guidelines", c.InterpretiveGuidelines.Concat(c.Dimensions.Select(d => $"- " +
            $"{d.Name}{(d.Description is { Length: > 0 } desc ? $": {desc}" : "")}")).ToList());

    void IReportLayout.Rubric(Rubric rubric)
    {
        Line("### Scoring Guidelines");
        Line();
        Line("| Score | Guideline |");
        Line("|---|---|");
        Line($"| -1 | {Cell(rubric.Minus1)} |");
        Line($"| 0 | {Cell(rubric.Zero)} |");
        Line($"| +1 | {Cell(rubric.Plus1)} |");
        Line();
        Line($"Rubric version {rubric.Version}");
        Line();
    }

    void IReportLayout.Staff(CommitmentSection c)
    {
        Line(c.ComplianceDirector is { Length: > 0 } director ? $"Compliance Director: {director} Lead Analyst: " +
            $"{c.LeadAnalyst}" : $"Lead Analyst: {c.LeadAnalyst}");
        Line();
    }

    void IReportLayout.Cell(CommitmentSection c, MemberSection x, Footnotes footnotes)
    {
        Line($"### {x.Member.Name}: {(x.NotApplicable ? "not applicable" : x.Score is null ? "not yet scored" : x.Display)}");
        Line();
        if (x.NotApplicable) { Line(x.NotApplicableReason ?? ""); Line(); return; }
        foreach (var (e, i) in x.Evidence.Select((e, i) => (e, i)))
        {
            Line(e.Summary + Refs(footnotes.Refs[i]));
            Line();
        }
        if (x.IneligibleEvidence > 0) { Line($"({x.IneligibleEvidence} evidence item(s) outside the report window are not " +
            $"shown.)"); Line(); }
        if (x.ScoreNote is { } note) { Line($"(Score note: {note}.)"); Line(); }
        if (x.Score is not null)
        {
            foreach (var p in (x.Rationale ?? "").Split("\n\n",
                StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) { Line(p); Line(); }
            Line(Wording.Thus(x));
            Line();
            if (x.Analysts.Count > 0) { Line(Wording.Analysts(x.Analysts)); Line(); }
        }
        Notes(footnotes);
    }

    void IReportLayout.CommitmentEnd(CommitmentSection c) { }

    void IReportLayout.End(ReportModel m) { }

    private static string Refs(IEnumerable<int> numbers) => string.Concat(numbers.Select(n => $"[^{n}]"));

    private void Notes(Footnotes footnotes)
    {
        foreach (var (n, citation) in footnotes.Notes) Line($"[^{n}]: {Wording.Citation(citation)}");
        if (footnotes.Notes.Count > 0) Line();
    }

    /// <summary>Table cells cannot hold line breaks or unescaped pipes.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\r", "").Replace("\n", " ");
}
