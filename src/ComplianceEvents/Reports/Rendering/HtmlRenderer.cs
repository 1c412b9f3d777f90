using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;

namespace ComplianceEvents.Reports.Rendering;

/// <summary>
/// The report as one standalone, printable HTML5 page: inline CSS only (no scripts, fonts, images or other
/// assets), every text HTML-encoded, deterministic bytes with "\n" line endings. The parts, their order and the footnote
/// numbers are <see cref="ReportOutline"/>'s, as in the Markdown.
/// </summary>
public sealed class HtmlRenderer : IReportLayout
{
    private const string Style = """
        @page { size: A4; margin: 2cm; }
        body { font-family: Georgia, "Times New Roman", serif; line-height: 1.45; color: #111; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
        header.title-page { text-align: center; margin: 4rem 0; }
        header.title-page h1 { font-size: 2rem; }
        table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
        th, td { border: 1px solid #888; padding: .25rem .5rem; text-align: left; vertical-align: top; }
        thead th { background: #eee; }
        td.score, th.score { text-align: center; white-space: nowrap; }
        thead { display: table-header-group; }
        tr, blockquote, .guidelines { break-inside: avoid; }
        h1, h2, h3, h4 { break-after: avoid; }
        blockquote { margin: 1rem 2rem; font-style: italic; }
        blockquote p.source { font-style: normal; text-align: right; }
        section.commitment { break-before: page; margin-top: 3rem; }
        ol.footnotes, p.note { font-size: .85rem; }
        ol.footnotes { border-top: 1px solid #ccc; padding-top: .5rem; }
        a { color: #124; overflow-wrap: anywhere; }
        @media print { body { max-width: none; margin: 0; padding: 0; } a { color: inherit; text-decoration: none; } }
        """;

    private readonly StringBuilder _h = new();

    private HtmlRenderer() { }

    public static string Render(ReportModel m)
    {
        var renderer = new HtmlRenderer();
        ReportOutline.Walk(m, renderer);
        return renderer._h.ToString();
    }

    private void Line(string html) => _h.Append(html).Append('\n');

    void IReportLayout.TitlePage(ReportModel m)
    {
        var title = E(m.Title);

        Line("<!DOCTYPE html>");
        Line("<html lang=\"en\">");
        Line("<head>");
        Line("<meta charset=\"utf-8\">");
        Line("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        Line($"<title>{title}</title>");
        Line($"<style>\n{Style.Replace("\r\n", "\n")}\n</style>");
        Line("</head>");
        Line("<body>");
        Line("<header class=\"title-page\">");
        Line($"<h1>{title}</h1>");
        if (m.Window is { } w) Line($"<p class=\"window\">{E($"{Wording.Day(w.Start)} to {Wording.Day(w.Cutoff)}")}</p>");
        if (m.PreparedBy is { Length: > 0 } by) Line($"<p>Prepared by {E(by)}</p>");
        Line($"<p>{E($"{m.SummitName}, {m.HostCity}, {m.HostCountry}, {Wording.Day(m.SummitStart)}\u2013{Wording.Day(m.SummitEnd)}")}</p>");
        if (m.Edition is { } edition)
            Line($"<p class=\"edition\">Edition " +
                $"{I(edition)}{(m.EditionReason is { Length: > 0 } r ? $" \u2014 correction: {E(r)}" : "")}</p>");
        Line("</header>");
    }

    void IReportLayout.Summary(ReportModel m)
    {
        var kind = m.Kind is { } k ? $"{k} " : "";
        Line("<section id=\"summary\">");
        Line("<h2>Table A: Priority Commitments Selected for Assessment</h2>");
        Line("<table>\n<thead><tr><th>No.</th><th>Issue Area</th><th>Title</th><th>Commitment</th><th>Source</th></tr></thead>\n<tbody>");
        foreach (var c in m.Commitments)
            Line($"<tr><td>{I(c.Number)}</td><td>{E(c.IssueArea)}</td><td><a " +
                $"href=\"#{A(c)}\">{E(c.Title)}</a></td><td>\u201c{E(c.Text)}\u201d</td><td>{E(c.Source)}</td></tr>");
        Line("</tbody>\n</table>");

        Line($"<h2>Table B: {E($"{m.SummitName} {kind}Compliance Scores")}</h2>");
        Line($"<table>\n<thead><tr><th>Commitment</th>{string.Concat(m.Members.Select(x => $"<th class=\"score\">{E(x.Name)}</th>"))}<th " +
            $"class=\"score\">Average</th></tr></thead>\n<tbody>");
        foreach (var c in m.Commitments)
            Line($"<tr><td>{E(c.Heading)}</td>{string.Concat(m.Members.Select(x => Score(c.Cells.FirstOrDefault(s => s.Member.Code == x.Code)?.Display ?? "")))}{Score(c.Average.DisplayWithPercent)}</tr>");
        Line($"<tr><th>Average</th>{string.Concat(m.Members.Select(x => Score(m.MemberAverage(x.Code).Display)))}{Score(m.Overall.DisplayWithPercent)}</tr>");
        Line("</tbody>\n</table>");

        Line($"<h2>Table C: {E($"{m.SummitName} {kind}Compliance Scores by Member")}</h2>");
        Line("<table>\n<thead><tr><th>Member</th><th class=\"score\">Average</th></tr></thead>\n<tbody>");
        foreach (var (member,
            average) in m.MembersByAverage) Line($"<tr><td>{E(member.Name)}</td>{Score(average.DisplayWithPercent)}</tr>");
        Line("</tbody>\n</table>");

        Line($"<h2>Table D: {E($"{m.SummitName} {kind}Compliance Scores by Commitment")}</h2>");
        Line("<table>\n<thead><tr><th>Commitment</th><th class=\"score\">Average</th></tr></thead>\n<tbody>");
        foreach (var c in m.CommitmentsByAverage) Line($"<tr><td>{E(c.Heading)}</td>{Score(c.Average.DisplayWithPercent)}</tr>");
        Line("</tbody>\n</table>");
        if (m.ComplianceGap is { } gap)
            Line($"<p class=\"gap\">Compliance gap between the highest and lowest scoring members: " +
                $"{gap.ToString("0.00", CultureInfo.InvariantCulture)}</p>");
        Line("</section>");
    }

    void IReportLayout.CommitmentStart(CommitmentSection c)
    {
        Line($"<section class=\"commitment\" id=\"{A(c)}\">");
        Line($"<h2>{E(c.Heading)}</h2>");
        Line($"<blockquote>\n<p>\u201c{E(c.Text)}\u201d</p>\n<p class=\"source\">{E(c.Source)}</p>\n</blockquote>");
        Line("<h3>Assessment</h3>");
        Line("<table class=\"assessment\">\n<thead><tr><th>Member</th><th class=\"score\">No Compliance</th><th class=\"score\">Partial " +
            "Compliance</th><th class=\"score\">Full Compliance</th></tr></thead>\n<tbody>");
        foreach (var x in c.Cells)
            Line($"<tr><td>{E(x.Member.Name)}</td>{(x.NotApplicable ? "<td class=\"score\" colspan=\"3\">N/A</td>"
                : string.Concat(new[] { -1, 0, 1 }.Select(s => Score(x.Score == s ? x.Display : ""))))}</tr>");
        Line($"<tr><th>Average</th><td class=\"score\" colspan=\"3\">{E(c.Average.DisplayWithPercent)}</td></tr>");
        Line("</tbody>\n</table>");
    }

    void IReportLayout.Paragraphs(string heading, IReadOnlyList<string> paragraphs)
    {
        Line($"<h3>{heading}</h3>");
        foreach (var p in paragraphs) Line($"<p>{E(p)}</p>");
    }

    void IReportLayout.Definitions(IReadOnlyList<Definition> definitions, Footnotes footnotes)
    {
        Line("<h3>Definitions</h3>");
        foreach (var (d, i) in definitions.Select((d, i) => (d, i)))
            Line($"<p>\u201c{E(d.Term)}\u201d is understood to mean \u201c{E(d.Meaning)}\u201d{Refs(footnotes.Refs[i])}</p>");
        Notes(footnotes);
    }

    void IReportLayout.Guidelines(CommitmentSection c)
    {
        Line("<h3>General Interpretive Guidelines</h3>");
        foreach (var p in c.InterpretiveGuidelines) Line($"<p>{E(p)}</p>");
        if (c.Dimensions.Count > 0)
            Line($"<ul class=\"dimensions\">\n{string.Join("\n", c.Dimensions.Select(d =>
                $"<li>{E(d.Name)}{(d.Description is { Length: > 0 } desc ? $": {E(desc)}" : "")}</li>"))}\n</ul>");
    }

    void IReportLayout.Rubric(Rubric rubric)
    {
        Line("<div class=\"guidelines\">\n<h3>Scoring Guidelines</h3>");
        Line($"<table class=\"rubric\">\n<tbody>\n<tr><th class=\"score\">-1</th><td>{E(rubric.Minus1)}</td></tr>\n<tr><th " +
            $"class=\"score\">0</th><td>{E(rubric.Zero)}</td></tr>\n<tr><th " +
                $"class=\"score\">+1</th><td>{E(rubric.Plus1)}</td></tr>\n</tbody>\n</table>");
        Line($"<p class=\"note\">Rubric version {I(rubric.Version)}</p>\n</div>");
    }

    void IReportLayout.Staff(CommitmentSection c) =>
        Line($"<p>{(c.ComplianceDirector is { Length: > 0 } director ? $"Compliance Director: {E(director)}<br>\n" : "")}Lead Analyst: " +
            $"{E(c.LeadAnalyst)}</p>");

    void IReportLayout.Cell(CommitmentSection c, MemberSection x, Footnotes footnotes)
    {
        Line($"<h3 id=\"{A(c)}-{E(x.Member.Code)}\">{E(x.Member.Name)}: " +
            $"{(x.NotApplicable ? "not applicable" : x.Score is null ? "not yet scored" : E(x.Display))}</h3>");
        if (x.NotApplicable)
        {
            if (x.NotApplicableReason is { Length: > 0 } reason) Line($"<p>{E(reason)}</p>");
            return;
        }
        foreach (var (e, i) in x.Evidence.Select((e, i) => (e, i))) Line($"<p>{E(e.Summary)}{Refs(footnotes.Refs[i])}</p>");
        if (x.Score is not null)
        {
            foreach (var p in Regex.Split((x.Rationale ?? "").Replace("\r\n", "\n"), @"\n[ \t]*\n").Select(p => p.Trim()).Where(p
                => p.Length > 0))
                Line($"<p>{E(p)}</p>");
            Line($"<p class=\"thus\">{E(Wording.Thus(x))}</p>");
            if (x.Analysts.Count > 0) Line($"<p class=\"analysts\">{E(Wording.Analysts(x.Analysts))}</p>");
            if (x.RubricVersion is { } v && c.Rubric is { } current && v != current.Version)
                Line($"<p class=\"note\">Scored under rubric version {I(v)}.</p>");
        }
        if (x.IneligibleEvidence > 0)
            Line($"<p class=\"note\">{I(x.IneligibleEvidence)} evidence item(s) outside the report window are not shown.</p>");
        if (x.ScoreNote is { } note) Line($"<p class=\"note\">Score note: {E(note)}.</p>");
        Notes(footnotes);
    }

    void IReportLayout.CommitmentEnd(CommitmentSection c) => Line("</section>");

    void IReportLayout.End(ReportModel m)
    {
        Line("</body>");
        Line("</html>");
    }

    /// <summary>Document-wide footnote numbers as links to their notes.</summary>
    private static string Refs(IReadOnlyList<int> numbers) => numbers.Count == 0 ? ""
        : $"<sup>{string.Join(", ", numbers.Select(n => $"<a href=\"#fn-{I(n)}\" id=\"fnref-{I(n)}\">{I(n)}</a>"))}</sup>";

    private void Notes(Footnotes footnotes)
    {
        if (footnotes.Notes.Count == 0) return;
        Line($"<ol class=\"footnotes\" start=\"{I(footnotes.Notes[0].Number)}\">");
        foreach (var (n, citation) in footnotes.Notes) Line($"<li id=\"fn-{I(n)}\">{CitationHtml(citation)}</li>");
        Line("</ol>");
    }

    /// <summary>The plain-text footnote, encoded, with its URL (always last) as a link when it is http(s).</summary>
    private static string CitationHtml(Citation c)
    {
        var text = Wording.Citation(c);
        if (!text.EndsWith(c.Url, StringComparison.Ordinal) || !Uri.TryCreate(c.Url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return E(text);
        return $"{E(text[..^c.Url.Length])}<a href=\"{E(c.Url)}\">{E(c.Url)}</a>";
    }

    private static string Score(string display) => $"<td class=\"score\">{E(display)}</td>";
    private static string A(CommitmentSection c) => E($"commitment-{c.CommitmentId}");
    private static string I(int n) => n.ToString(CultureInfo.InvariantCulture);
    private static string E(string text) => WebUtility.HtmlEncode(text);
}
