using System.Globalization;
using System.Text;

namespace ComplianceEvents.Reports.Rendering;

/// <summary>
/// The canonical rendering (DESIGN 2.2): editions store the SHA-256 of these bytes. Deterministic:
/// no clock, no culture, "\n" line endings. Layout follows the seed chapters.
/// </summary>
public static class MarkdownRenderer
{
    public static string Render(ReportModel m)
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line($"# {m.Title}");
        Line();
        if (m.Window is { } w) { Line($"{ReportText.Day(w.Start)} to {ReportText.Day(w.Cutoff)}"); Line(); }
        if (m.PreparedBy is { Length: > 0 } by) { Line($"Prepared by {by}"); Line(); }
        Line($"Summit: {m.SummitName}, {m.HostCity}, {m.HostCountry}, {ReportText.Day(m.SummitStart)} to {ReportText.Day(m.SummitEnd)}");
        Line();
        if (m.Edition is { } edition)
        {
            Line($"Edition {edition}{(m.EditionReason is { Length: > 0 } r ? $" (correction: {r})" : "")}");
            Line();
        }

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

        var footnote = 0;
        foreach (var c in m.Commitments) footnote = Commitment(md, c, footnote);
        return md.ToString();
    }

    private static int Commitment(StringBuilder md, CommitmentSection c, int footnote)
    {
        void Line(string text = "") => md.Append(text).Append('\n');
        void Paragraphs(string heading, IEnumerable<string> paragraphs)
        {
            var list = paragraphs.ToList();
            if (list.Count == 0) return;
            Line($"### {heading}");
            Line();
            foreach (var p in list) { Line(p); Line(); }
        }

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
        Paragraphs("Background", c.Background);
        Paragraphs("Commitment Features", c.Features);
        if (c.Definitions.Count > 0)
        {
            // Definitions cite their dictionary or source like evidence does, in the same footnote sequence.
            var cited = c.Definitions.Where(d => d.Citation is not null).Select(d => d.Citation!).ToList();
            var n = footnote;
            Paragraphs("Definitions", c.Definitions.Select(d => $"\"{d.Term}\" is understood to mean " +
                $"\"{d.Meaning}\"" + (d.Citation is null ? "" : $"[^{++n}]")));
            for (var i = 0; i < cited.Count; i++) Line($"[^{footnote + i + 1}]: {ReportText.Citation(cited[i])}");
            if (cited.Count > 0) Line();
            footnote = n;
        }
        Paragraphs("General Interpretive Guidelines", c.InterpretiveGuidelines.Concat(c.Dimensions.Select(d => $"- " +
            $"{d.Name}{(d.Description is { Length: > 0 } desc ? $": {desc}" : "")}")));
        if (c.Rubric is { } rubric)
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
        Line(c.ComplianceDirector is { Length: > 0 } director ? $"Compliance Director: {director} Lead Analyst: " +
            $"{c.LeadAnalyst}" : $"Lead Analyst: {c.LeadAnalyst}");
        Line();

        foreach (var x in c.Cells)
        {
            Line($"### {x.Member.Name}: {(x.NotApplicable ? "not applicable" : x.Score is null ? "not yet scored" : x.Display)}");
            Line();
            if (x.NotApplicable) { Line(x.NotApplicableReason ?? ""); Line(); continue; }
            var notes = new List<string>();
            foreach (var e in x.Evidence)
            {
                var refs = string.Concat(e.Citations.Select(ci
                    => { notes.Add(ReportText.Citation(ci)); return $"[^{footnote + notes.Count}]"; }));
                Line(e.Summary + refs);
                Line();
            }
            if (x.IneligibleEvidence > 0) { Line($"({x.IneligibleEvidence} evidence item(s) outside the report window are not " +
                $"shown.)"); Line(); }
            if (x.ScoreNote is { } note) { Line($"(Score note: {note}.)"); Line(); }
            if (x.Score is not null)
            {
                foreach (var p in (x.Rationale ?? "").Split("\n\n",
                    StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) { Line(p); Line(); }
                Line(ReportText.Thus(x));
                Line();
                if (x.Analysts.Count > 0) { Line(ReportText.Analysts(x.Analysts)); Line(); }
            }
            for (var i = 0; i < notes.Count; i++) Line($"[^{footnote + i + 1}]: {notes[i]}");
            if (notes.Count > 0) Line();
            footnote += notes.Count;
        }
        return footnote;
    }

    /// <summary>Table cells cannot hold line breaks or unescaped pipes.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\r", "").Replace("\n", " ");
}
