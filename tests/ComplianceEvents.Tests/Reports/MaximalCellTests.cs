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
/// Backs the report bound of docs/api.md "Limits" with renderings. A cell at its limits: 200 evidence items, each with 20
/// citations and 20 dimension codes (what the budget does not count), the current evidence at exactly
/// <see cref="Assessment.MaxEvidenceCharacters"/> characters, spent in the field and the character that cost a format most;
/// a commitment section with every field at its limit; the cycle's own fields with 12 members. The figures are printed;
/// the assertions are the stated per-cell bound and the largest report.
/// </summary>
public sealed class MaximalCellTests(ITestOutputHelper output)
{
    private const int Members = JsonLimits.MaxMembers;
    private static readonly char[] Costly = ['x', '\u2014', '"', '<', '&'];
    private static readonly string[] Formats = ["md", "html", "json", "csv"];

    private static string Text(string key, char c, Type? owner = null) => new(c, JsonLimits.For(owner, key).MaxLength!.Value);

    private static string Base36(int n) => n < 36 ? "0123456789abcdefghijklmnopqrstuvwxyz"[n].ToString() : Base36(n / 36) + Base36(n % 36);

    /// <summary>
    /// 200 items of <paramref name="citations"/> citations each, as short as the rules allow and no two alike (a repeated
    /// citation is printed once), with the rest of the budget in <paramref name="field"/> written with <paramref name="c"/>.
    /// </summary>
    private static List<EvidenceItem> Evidence(int citations, string field, char c)
    {
        var dimensions = Enumerable.Range(0, 20).Select(d => $"d{d}-" + new string('x', 60)).ToList();
        List<EvidenceItem> Build(Func<int, int> filler) => Enumerable.Range(0, Assessment.MaxEvidence).Select(i =>
        {
            string Fill(string f, int n) => f == field ? new string(c, filler(i) / Math.Max(1, f == "summary" ? 1 : citations)
                + (n == 0 && f != "summary" ? filler(i) % citations : 0)) : "";
            var cited = Enumerable.Range(0, citations).Select(n => new Citation(Base36(i * citations + n) + Fill("title", n),
                "p" + Fill("publisher", n), null, null, new DateOnly(2024, 9, 30), "http://a" + Fill("url", n))).ToList();
            return new EvidenceItem($"e{i}-" + new string('x', 58), new DateOnly(2024, 9, 30), "s" + Fill("summary", 0), dimensions,
                Strength.Contradictory, cited, []);
        }).ToList();
        var room = Assessment.MaxEvidenceCharacters - Build(_ => 0).Sum(e => EvidenceContent.Characters(e.Summary, e.Citations));
        var items = Build(i => (int)(room / Assessment.MaxEvidence + (i < room % Assessment.MaxEvidence ? 1 : 0)));
        Assert.Equal(Assessment.MaxEvidenceCharacters, items.Sum(e => EvidenceContent.Characters(e.Summary, e.Citations)));
        return items;
    }

    private static List<Member> MemberList(char c) =>
        Enumerable.Range(0, Members).Select(m => new Member($"M{(char)('A' + m)}", $"{m}" + Text("name", c)[1..])).ToList();

    private static MemberSection Cell(Member member, IReadOnlyList<EvidenceItem> evidence, char c) =>
        new(member, 1, false, null, Text("rationale", c),
            Enumerable.Range(0, 11).Select(a => $"{a}" + Text("coAnalysts[]", c)[1..]).ToList(), 1, evidence, 0);

    private static CommitmentSection Section(int number, char c, IReadOnlyList<MemberSection> cells)
    {
        var citation = new Citation(Text("title", c, typeof(Citation)), Text("publisher", c), Text("place", c), "2024-09-30",
            new DateOnly(2024, 9, 30), "https://example.org/".PadRight(JsonLimits.For(null, "url").MaxLength!.Value, 'a'),
            Text("translation", c));
        List<string> Paragraphs(string key) => Enumerable.Range(0, 50).Select(p => $"{p}" + Text(key, c)[1..]).ToList();
        return new CommitmentSection(number, $"{number}-" + new string('x', 60), Text("issueArea", c), Text("title", c), Text("text", c),
            Text("source", c), Paragraphs("background[]"), Paragraphs("features[]"),
            Enumerable.Range(0, 20).Select(d => new Dimension($"d{d}-" + new string('x', 60), Text("name", c), Text("description", c)))
                .ToList(),
            Enumerable.Range(0, 50).Select(d => new Definition($"{d}" + Text("term", c)[1..], Text("meaning", c),
                citation with { Title = $"{d}" + citation.Title[1..] })).ToList(),
            Paragraphs("interpretiveGuidelines[]"), new Rubric(1, Text("minus1", c), Text("zero", c), Text("plus1", c), []),
            Text("leadAnalyst", c), Text("complianceDirector", c), cells);
    }

    private static ReportModel Report(char c, IReadOnlyList<CommitmentSection> commitments) =>
        new("cycle-" + new string('x', 58), Text("summitName", c), Text("hostCity", c), Text("hostCountry", c), new DateOnly(2024, 6, 13),
            new DateOnly(2024, 6, 15), null, ReportKind.Interim,
            new ReportWindow(ReportKind.Interim, new DateOnly(2024, 6, 15), new DateOnly(2024, 12, 20)), 1, null, MemberList(c),
            commitments);

    private static Dictionary<string, (long Chars, long Bytes)> Sizes(ReportModel m)
    {
        (long, long) Of(string s) => (s.Length, Encoding.UTF8.GetByteCount(s));
        return new()
        {
            ["md"] = Of(MarkdownRenderer.Render(m)), ["html"] = Of(HtmlRenderer.Render(m)), ["json"] = Of(JsonRenderer.Render(m)),
            ["csv"] = Of(CsvRenderer.Render(m)),
        };
    }

    /// <summary>docs/api.md "Limits": what one cell at its limits adds to a report, per format (UTF-8 bytes).</summary>
    private static readonly IReadOnlyDictionary<string, long> StatedCellBound = new Dictionary<string, long>
    {
        ["md"] = 600_000, ["html"] = 1_200_000, ["json"] = 2_200_000, ["csv"] = 100,
    };

    /// <summary>docs/api.md "Limits": the largest report (100 commitments x 12 members), per format (UTF-8 bytes).</summary>
    private static readonly IReadOnlyDictionary<string, long> StatedReportBound = new Dictionary<string, long>
    {
        ["md"] = 1_050_000_000, ["html"] = 2_100_000_000, ["json"] = 2_600_000_000, ["csv"] = 200_000,
    };

    [Fact]
    public void a_cell_at_every_limit_and_the_largest_report_render_within_the_stated_bounds()
    {
        var cell = Formats.ToDictionary(f => f, _ => (Chars: 0L, Bytes: 0L, Case: ""));
        var section = Formats.ToDictionary(f => f, _ => (Chars: 0L, Bytes: 0L));
        var cycle = Formats.ToDictionary(f => f, _ => (Chars: 0L, Bytes: 0L));
        var variants = new[] { (0, "summary") }.Concat(new[] { "summary", "title", "publisher", "url" }.Select(f => (20, f)));
        foreach (var c in Costly)
        {
            var members = MemberList(c);
            var empty = Sizes(Report(c, []));
            var bare = Sizes(Report(c, [Section(100, c, [])]));
            foreach (var f in Formats)
            {
                cycle[f] = (Math.Max(cycle[f].Chars, empty[f].Chars), Math.Max(cycle[f].Bytes, empty[f].Bytes));
                section[f] = (Math.Max(section[f].Chars, bare[f].Chars - empty[f].Chars),
                    Math.Max(section[f].Bytes, bare[f].Bytes - empty[f].Bytes));
            }
            foreach (var (citations, field) in variants)
            {
                var one = Sizes(Report(c, [Section(100, c, [Cell(members[0], Evidence(citations, field, c), c)])]));
                foreach (var f in Formats)
                {
                    var (chars, bytes) = (one[f].Chars - bare[f].Chars, one[f].Bytes - bare[f].Bytes);
                    if (bytes > cell[f].Bytes) cell[f] = (Math.Max(cell[f].Chars, chars), bytes, $"{citations} citations per item, " +
                        $"the rest in {field} as U+{(int)c:X4}");
                    else cell[f] = cell[f] with { Chars = Math.Max(cell[f].Chars, chars) };
                }
            }
        }
        foreach (var f in Formats)
        {
            var cells = JsonLimits.MaxCommitmentNumber * Members;
            var chars = cycle[f].Chars + JsonLimits.MaxCommitmentNumber * section[f].Chars + cells * cell[f].Chars;
            var bytes = cycle[f].Bytes + JsonLimits.MaxCommitmentNumber * section[f].Bytes + cells * cell[f].Bytes;
            output.WriteLine($"{f}: cell at most {cell[f].Chars:N0} characters, {cell[f].Bytes:N0} bytes ({cell[f].Case}); " +
                $"commitment section {section[f].Chars:N0} / {section[f].Bytes:N0}; cycle {cycle[f].Chars:N0} / {cycle[f].Bytes:N0}; " +
                $"largest report {chars:N0} characters, {bytes:N0} bytes");
            Assert.True(cell[f].Bytes <= StatedCellBound[f], $"{f}: {cell[f].Bytes:N0} bytes exceed the stated {StatedCellBound[f]:N0}");
            Assert.True(bytes <= StatedReportBound[f], $"{f}: {bytes:N0} bytes exceed the stated {StatedReportBound[f]:N0}");
        }
    }

    /// <summary>
    /// What rendering costs the host beyond the text (docs/api.md "Limits"): the cell's model held twice (the folded state and
    /// the report model) plus what one render allocates (builder growth, the string, its UTF-8 copy), per byte of output.
    /// </summary>
    [Fact]
    public void rendering_the_maximal_cell_takes_a_few_times_its_size_in_memory()
    {
        var members = MemberList('x');
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var cell = Section(100, 'x', [Cell(members[0], Evidence(20, "summary", '\u2014'), '\u2014')]) with
        {
            Text = "t", Background = [], Features = [], Dimensions = [], Definitions = [], InterpretiveGuidelines = [], Rubric = null,
        };
        var model = Report('x', [cell]);
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        foreach (var (format, render) in new (string, Func<ReportModel, string>)[]
            { ("md", MarkdownRenderer.Render), ("html", HtmlRenderer.Render), ("json", JsonRenderer.Render) })
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var bytes = Encoding.UTF8.GetBytes(render(model)).LongLength;
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            var factor = (double)(held + allocated) / bytes;
            output.WriteLine($"{format}: model {held:N0} bytes held, render allocated {allocated:N0}, output {bytes:N0}: {factor:F1}x");
            Assert.InRange(factor, 1, 15);
        }
        GC.KeepAlive(model);
    }
}
