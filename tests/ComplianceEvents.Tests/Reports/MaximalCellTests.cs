using System.Text;
using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports;
using ComplianceEvents.Reports.Rendering;
using Xunit.Abstractions;

namespace ComplianceEvents.Tests.Reports;

/// <summary>
/// Backs the report bound of docs/api.md "Limits" with a rendering: one cell with every field at its limit and as many
/// evidence items as a cell may hold, in every format. The figures are printed; the assertion is the stated bound.
/// </summary>
public sealed class MaximalCellTests(ITestOutputHelper output)
{
    private static string Text(string key, char c, Type? owner = null) => new(c, JsonLimits.For(owner, key).MaxLength!.Value);

    /// <summary>Every field of one evidence item at its limit, written with <paramref name="c"/>; no two citations alike (the
    /// renderers print a repeated citation once).</summary>
    private static EvidenceItem Item(int i, char c)
    {
        Citation Cited(int n) => new($"{i}.{n}" + Text("title", c, typeof(Citation))[$"{i}.{n}".Length..], Text("publisher", c),
            Text("place", c), "2024-07-12", new DateOnly(2024, 9, 20),
            $"https://example.org/{i}/{n}/".PadRight(JsonLimits.For(null, "url").MaxLength!.Value, 'a'), Text("translation", c));
        var dimensions = Enumerable.Range(0, 20).Select(d => $"d{d}-" + new string('x', 60)).ToList();
        return new EvidenceItem($"e{i}-" + new string('x', 58), new DateOnly(2024, 7, 12), Text("summary", c), dimensions,
            Strength.Contradictory, Enumerable.Range(0, 20).Select(Cited).ToList(), []);
    }

    private static ReportModel OneCell(int items, char c)
    {
        var member = new Member("EU", Text("name", c));
        var cell = new MemberSection(member, 1, false, null, Text("rationale", c),
            Enumerable.Range(0, 11).Select(a => $"{a}" + Text("coAnalysts[]", c)[1..]).ToList(), 1,
            Enumerable.Range(1, items).Select(i => Item(i, c)).ToList(), 0);
        var commitment = new CommitmentSection(100, "c", "Area", "Title", "Text", "Source", [], [], [], [], [],
            new Rubric(1, "No action.", "Some.", "Full.", []), "lead", null, [cell]);
        return new ReportModel("cycle", "Summit", "City", "Country", new DateOnly(2024, 6, 13), new DateOnly(2024, 6, 15), null,
            ReportKind.Interim, new ReportWindow(ReportKind.Interim, new DateOnly(2024, 6, 15), new DateOnly(2024, 12, 20)), 1, null,
            [member], [commitment]);
    }

    private static IReadOnlyDictionary<string, long> Sizes(ReportModel m) => new Dictionary<string, long>
    {
        ["md"] = Encoding.UTF8.GetByteCount(MarkdownRenderer.Render(m)),
        ["html"] = Encoding.UTF8.GetByteCount(HtmlRenderer.Render(m)),
        ["json"] = Encoding.UTF8.GetByteCount(JsonRenderer.Render(m)),
        ["csv"] = Encoding.UTF8.GetByteCount(CsvRenderer.Render(m)),
    };

    /// <summary>docs/api.md "Limits": what one cell at its limits may render to, per format (bytes).</summary>
    private static readonly IReadOnlyDictionary<string, long> StatedCellBound = new Dictionary<string, long>
    {
        ["md"] = 32_000_000, ["html"] = 40_000_000, ["json"] = 57_000_000, ["csv"] = 1_000,
    };

    [Fact]
    public void a_cell_at_every_limit_renders_within_the_stated_bound_in_every_format()
    {
        // ASCII text measures the characters; one item in the costliest characters measures what escaping adds.
        var ascii = Sizes(OneCell(Assessment.MaxEvidence, 'x'));
        var wideItem = Sizes(OneCell(1, '\u2014'));
        var emptyCell = Sizes(OneCell(0, '\u2014'));
        foreach (var (format, bytes) in ascii)
        {
            var widest = emptyCell[format] + (wideItem[format] - emptyCell[format]) * Assessment.MaxEvidence;
            output.WriteLine($"{format}: {Assessment.MaxEvidence} items, ASCII {bytes:N0} bytes; " +
                $"one item of U+2014 {wideItem[format] - emptyCell[format]:N0} bytes, so a cell of them {widest:N0} bytes");
            Assert.True(bytes > 0);
            Assert.True(Math.Max(bytes, widest) <= StatedCellBound[format],
                $"{format}: {Math.Max(bytes, widest):N0} bytes exceed the stated {StatedCellBound[format]:N0}");
        }
    }
}
