using ComplianceEvents.Reports.Rendering;

namespace ComplianceEvents.Tests.Reports;

public sealed class HtmlRendererTests
{
    [Fact]
    public void the_page_holds_the_title_window_averages_and_edition()
    {
        var html = HtmlRenderer.Render(SampleReport.Model());
        Assert.StartsWith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">", html);
        Assert.Contains("<title>2024 G7 Apulia Summit Interim Compliance Report</title>", html);
        Assert.Contains("<h1>2024 G7 Apulia Summit Interim Compliance Report</h1>", html);
        Assert.Contains("15 June 2024 to 20 December 2024", html);
        Assert.Contains("Prepared by Jacob Rudolph and Angus MacKellar", html);
        Assert.Contains("Edition 2 \u2014 correction: Canada&#39;s score was corrected", html);
        Assert.Contains("<td class=\"score\">+0.50 (75%)</td></tr>", html);         // commitment and overall average
        Assert.Contains("<tr><th>Average</th><td class=\"score\">0.00</td><td class=\"score\">+1.00</td><td " +
            "class=\"score\">N/A</td>", html);
        Assert.Contains("<tr><td>United Kingdom</td><td class=\"score\">+1.00 (100%)</td></tr>", html);
        Assert.Contains("members: 1.00</p>", html);
        Assert.Contains("<td class=\"score\" colspan=\"3\">N/A</td>", html);
        Assert.Contains("id=\"commitment-migration-smuggling\"", html);
        Assert.DoesNotContain("\r", html);
        Assert.DoesNotContain("<script", html);
    }

    [Fact]
    public void member_sections_encode_text_and_number_footnotes_through_the_document()
    {
        var html = HtmlRenderer.Render(SampleReport.Model());
        Assert.Contains("(fewer than &lt;5 days&gt; before &amp; after).<sup><a href=\"#fn-2\" id=\"fnref-2\">2</a>, <a href=\"#fn-3\" " +
            "id=\"fnref-3\">3</a></sup></p>", html);
        Assert.Contains("<ol class=\"footnotes\" start=\"1\">\n<li id=\"fn-1\">Counter, Merriam-Webster (Springfield) n.d. Access Date: " +
            "12 September 2024. " +
            "<a href=\"https://www.merriam-webster.com/dictionary/counter\">", html);
        Assert.Contains("<li id=\"fn-2\">The 2024 U.S.\u2014Canada Cross Border Crime Forum, Public Safety Canada July 2024. <a " +
            "href=", html);
        Assert.Contains("<li id=\"fn-4\">Illegal immigration: 2 arrests in Terni, Polizia di Stato (Rome) 6 August 2024. Translation " +
            "provided by Google Translate. " +
            "Access Date: 6 March 2025. <a href=\"https://www.poliziadistato.it/articolo/153\">", html);
        Assert.Contains("<p>Canada has partially complied.</p>\n<p>It has not dismantled networks.</p>\n<p class=\"thus\">Thus, Canada " +
            "receives a score of 0.</p>", html);
        Assert.Contains("Thus, the United Kingdom receives a score of +1.", html);
        Assert.Contains("Analysts: A. Analyst and B. Analyst", html);
        Assert.Contains("<h3 id=\"commitment-migration-smuggling-EU\">European Union: not applicable</h3>", html);
        Assert.Contains("2 evidence item(s) outside the report window are not shown.", html);
        Assert.Contains("Compliance Director: Michal Gromek<br>\nLead Analyst: Anali Arambula Galindo", html);
        Assert.Equal(html, HtmlRenderer.Render(SampleReport.Model()));
    }

    [Fact]
    public void report_text_formats_dates_analysts_and_articles()
    {
        Assert.Equal("12 July 2024", Wording.Published("2024-07-12"));
        Assert.Equal("July 2024", Wording.Published("2024-07"));
        Assert.Equal("2024", Wording.Published("2024"));
        Assert.Equal("n.d.", Wording.Published(null));
        Assert.Equal("Analysts: A, B and C", Wording.Analysts(["A", "B", "C"]));
        Assert.Equal("the European Union", Wording.MemberInSentence("European Union"));
        Assert.Equal("Canada", Wording.MemberInSentence("Canada"));
    }
}
