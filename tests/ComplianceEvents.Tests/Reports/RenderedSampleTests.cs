using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using ComplianceEvents.Reports.Rendering;

namespace ComplianceEvents.Tests.Reports;

/// <summary>
/// The sample report in Markdown and HTML, byte for byte (<c>sample-report.verified.*</c> beside this file), and the one
/// footnote numbering both formats take from <see cref="ReportOutline"/>: the same numbers, cited in the same order.
/// </summary>
public sealed class RenderedSampleTests
{
    [Theory]
    [InlineData("md")]
    [InlineData("html")]
    public void the_sample_report_renders_byte_for_byte_as_verified(string format)
    {
        var actual = format == "md" ? MarkdownRenderer.Render(SampleReport.Model()) : HtmlRenderer.Render(SampleReport.Model());
        var verified = Beside($"sample-report.verified.{format}");
        if (!File.Exists(verified) || File.ReadAllText(verified) != actual)
        {
            File.WriteAllText(Beside($"sample-report.received.{format}"), actual);
            Assert.Fail($"{format} differs from {verified}: see sample-report.received.{format}");
        }
    }

    [Fact]
    public void markdown_and_html_cite_the_same_footnotes_in_the_same_order()
    {
        var model = SampleReport.Model();
        var md = Regex.Matches(MarkdownRenderer.Render(model), @"\[\^(\d+)\](?!:)").Select(m => int.Parse(m.Groups[1].Value)).ToList();
        var html = Regex.Matches(HtmlRenderer.Render(model), "id=\"fnref-(\\d+)\"").Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(Enumerable.Range(1, 4), md);
        Assert.Equal(md, html);
    }

    private static string Beside(string name, [CallerFilePath] string file = "") => Path.Combine(Path.GetDirectoryName(file)!, name);
}
