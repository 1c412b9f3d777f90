using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;

namespace ComplianceEvents.Reports.Rendering;

/// <summary>
/// One block's citations (a commitment's definitions, or one member's evidence), numbered document-wide:
/// <see cref="Refs"/>[i] are the numbers item i cites, <see cref="Notes"/> the footnotes listed right after the block.
/// </summary>
public sealed record Footnotes(IReadOnlyList<IReadOnlyList<int>> Refs, IReadOnlyList<(int Number, Citation Citation)> Notes)
{
    public static readonly Footnotes None = new([], []);
}

/// <summary>A document format's markup for each part of the <see cref="ReportOutline"/>.</summary>
public interface IReportLayout
{
    void TitlePage(ReportModel m);
    void Summary(ReportModel m);
    void CommitmentStart(CommitmentSection c);
    void Paragraphs(string heading, IReadOnlyList<string> paragraphs);
    void Definitions(IReadOnlyList<Definition> definitions, Footnotes footnotes);
    void Guidelines(CommitmentSection c);
    void Rubric(Rubric rubric);
    void Staff(CommitmentSection c);
    void Cell(CommitmentSection c, MemberSection x, Footnotes footnotes);
    void CommitmentEnd(CommitmentSection c);
    void End(ReportModel m);
}

/// <summary>
/// The outline the Markdown and HTML reports share, in the seed chapters' order, and their footnote numbering: which parts
/// appear, in which order, and which number each citation gets. A layout only writes the parts in its own markup.
/// </summary>
public static class ReportOutline
{
    public static void Walk(ReportModel m, IReportLayout layout)
    {
        var last = 0;
        Footnotes Number(IEnumerable<IEnumerable<Citation>> items)
        {
            var notes = new List<(int, Citation)>();
            var refs = items.Select(citations => (IReadOnlyList<int>)citations.Select(c =>
            {
                notes.Add((++last, c));
                return last;
            }).ToList()).ToList();
            return new Footnotes(refs, notes);
        }

        layout.TitlePage(m);
        layout.Summary(m);
        foreach (var c in m.Commitments)
        {
            layout.CommitmentStart(c);
            if (c.Background.Count > 0) layout.Paragraphs("Background", c.Background);
            if (c.Features.Count > 0) layout.Paragraphs("Commitment Features", c.Features);
            if (c.Definitions.Count > 0)
                layout.Definitions(c.Definitions,
                    Number(c.Definitions.Select(d => d.Citation is { } cited ? [cited] : Array.Empty<Citation>())));
            if (c.InterpretiveGuidelines.Count > 0 || c.Dimensions.Count > 0) layout.Guidelines(c);
            if (c.Rubric is { } rubric) layout.Rubric(rubric);
            layout.Staff(c);
            // A member the commitment does not apply to shows no evidence, so cites nothing.
            foreach (var x in c.Cells) layout.Cell(c, x, x.NotApplicable ? Footnotes.None : Number(x.Evidence.Select(e => e.Citations)));
            layout.CommitmentEnd(c);
        }
        layout.End(m);
    }
}
