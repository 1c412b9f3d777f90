using System.Diagnostics;
using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Reports;
using ComplianceEvents.Reports.Rendering;
using Xunit.Abstractions;

namespace ComplianceEvents.Tests.Reports;

public sealed class HtmlRendererTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly Member Canada = new("CA", "Canada");
    private static readonly Member Uk = new("UK", "United Kingdom");
    private static readonly Member Eu = new("EU", "European Union");

    private static ReportModel Model()
    {
        var nd = new Citation("Counter", "Merriam-Webster", "Springfield", null, new DateOnly(2024, 9, 12), "https://www.merriam-webster.com/dictionary/counter");
        var translated = new Citation("Illegal immigration: 2 arrests in Terni", "Polizia di Stato", "Rome", "2024-08-06", new DateOnly(2025, 3, 6),
            "https://www.poliziadistato.it/articolo/153", "Translation provided by Google Translate.");
        var forum = new Citation("The 2024 U.S.\u2014Canada Cross Border Crime Forum", "Public Safety Canada", null, "2024-07", null,
            "https://www.canada.ca/en/public-safety-canada/news/2024/07/cbcf.html");
        EvidenceItem Item(string id, int day, string summary, params Citation[] citations) =>
            new(id, new DateOnly(2024, 7, day), summary, ["prevent"], Strength.Strong, citations, []);
        var cells = new[]
        {
            new MemberSection(Canada, 0, false, null, "Canada has partially complied.\n\nIt has not dismantled networks.", ["TianTian Dong"], 1,
                [Item("e1", 12, "On 12 July 2024, ministers met at the forum (fewer than <5 days> before & after).", forum, nd),
                 Item("e2", 18, "On 18 July 2024, Canada amended its Criminal Code.", translated)], 2),
            new MemberSection(Uk, 1, false, null, "The UK has fully complied.", ["A. Analyst", "B. Analyst"], 1, [], 0),
            new MemberSection(Eu, null, true, "The commitment addresses national governments only.", null, [], null, [], 0),
        };
        var commitment = new CommitmentSection(19, "migration-smuggling", "Migration and Refugees", "Preventing Migrant Smuggling and Trafficking",
            "We will also strengthen our actions to prevent, counter, and dismantle organized criminal networks.", "G7 Apulia Leaders' Communiqu\u00e9",
            ["Both human trafficking and the smuggling of migrants have been consistently addressed."], ["The commitment has four dimensions."],
            [new Dimension("prevent", "Prevent", "action before smuggling occurs"), new Dimension("counter", "Counter")],
            [new Definition("Counter", "to act in opposition to", nd)], ["Full compliance requires strong action in all four dimensions."],
            new Rubric(1, "No action.", "Strong action in one to three dimensions.", "Strong action in all four dimensions.", []),
            "Anali Arambula Galindo", "Michal Gromek", cells);
        return new ReportModel("2024-apulia", "2024 G7 Apulia Summit", "Apulia", "Italy", new DateOnly(2024, 6, 13), new DateOnly(2024, 6, 15),
            "Jacob Rudolph and Angus MacKellar", ReportKind.Interim, new ReportWindow(ReportKind.Interim, new DateOnly(2024, 6, 15), new DateOnly(2024, 12, 20)),
            2, "Canada's score was corrected", [Canada, Uk, Eu], [commitment]);
    }

    [Fact]
    public void the_page_holds_the_title_window_averages_and_edition()
    {
        var html = HtmlRenderer.Render(Model());
        Assert.StartsWith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">", html);
        Assert.Contains("<title>2024 G7 Apulia Summit Interim Compliance Report</title>", html);
        Assert.Contains("<h1>2024 G7 Apulia Summit Interim Compliance Report</h1>", html);
        Assert.Contains("15 June 2024 to 20 December 2024", html);
        Assert.Contains("Prepared by Jacob Rudolph and Angus MacKellar", html);
        Assert.Contains("Edition 2 \u2014 correction: Canada&#39;s score was corrected", html);
        Assert.Contains("<td class=\"score\">+0.50 (75%)</td></tr>", html);         // commitment and overall average
        Assert.Contains("<tr><th>Average</th><td class=\"score\">0.00</td><td class=\"score\">+1.00</td><td class=\"score\">N/A</td>", html);
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
        var html = HtmlRenderer.Render(Model());
        Assert.Contains("(fewer than &lt;5 days&gt; before &amp; after).<sup><a href=\"#fn-2\" id=\"fnref-2\">2</a>, <a href=\"#fn-3\" id=\"fnref-3\">3</a></sup></p>", html);
        Assert.Contains("<ol class=\"footnotes\" start=\"1\">\n<li id=\"fn-1\">Counter, Merriam-Webster (Springfield) n.d. Access Date: 12 September 2024. " +
            "<a href=\"https://www.merriam-webster.com/dictionary/counter\">", html);
        Assert.Contains("<li id=\"fn-2\">The 2024 U.S.\u2014Canada Cross Border Crime Forum, Public Safety Canada July 2024. <a href=", html);
        Assert.Contains("<li id=\"fn-4\">Illegal immigration: 2 arrests in Terni, Polizia di Stato (Rome) 6 August 2024. Translation provided by Google Translate. " +
            "Access Date: 6 March 2025. <a href=\"https://www.poliziadistato.it/articolo/153\">", html);
        Assert.Contains("<p>Canada has partially complied.</p>\n<p>It has not dismantled networks.</p>\n<p class=\"thus\">Thus, Canada receives a score of 0.</p>", html);
        Assert.Contains("Thus, the United Kingdom receives a score of +1.", html);
        Assert.Contains("Analysts: A. Analyst and B. Analyst", html);
        Assert.Contains("<h3 id=\"commitment-migration-smuggling-EU\">European Union: not applicable</h3>", html);
        Assert.Contains("2 evidence item(s) outside the report window are not shown.", html);
        Assert.Contains("Compliance Director: Michal Gromek<br>\nLead Analyst: Anali Arambula Galindo", html);
        Assert.Equal(html, HtmlRenderer.Render(Model()));
    }

    [Fact]
    public void report_text_formats_dates_analysts_and_articles()
    {
        Assert.Equal("12 July 2024", ReportText.Published("2024-07-12"));
        Assert.Equal("July 2024", ReportText.Published("2024-07"));
        Assert.Equal("2024", ReportText.Published("2024"));
        Assert.Equal("n.d.", ReportText.Published(null));
        Assert.Equal("Analysts: A, B and C", ReportText.Analysts(["A", "B", "C"]));
        Assert.Equal("the European Union", ReportText.MemberInSentence("European Union"));
        Assert.Equal("Canada", ReportText.MemberInSentence("Canada"));
    }

    [Fact]
    public async Task the_page_opens_in_headless_chromium_without_errors()
    {
        if (!File.Exists(Chromium))
            Assert.Fail($"{Chromium} is not installed; this test needs it to render the report. Install it with `apt-get install -y chromium` and rerun.");
        var dir = Directory.CreateTempSubdirectory("html-report-");
        var html = Path.Combine(dir.FullName, "report.html");
        var png = Path.Combine(dir.FullName, "report.png");
        var profile = Directory.CreateTempSubdirectory("chromium-profile-");
        File.WriteAllText(html, HtmlRenderer.Render(Model()));
        var start = new ProcessStartInfo(Chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={profile.FullName}", $"--screenshot={png}", "--window-size=1200,2000",
            new Uri(html).AbsoluteUri })
            start.ArgumentList.Add(arg);
        try
        {
            using var chromium = Process.Start(start)!;
            var stdout = chromium.StandardOutput.ReadToEndAsync();
            var stderr = chromium.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try { await chromium.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException)
            {
                chromium.Kill(entireProcessTree: true);
                Assert.Fail("chromium did not finish within 60 s");
            }
            var (outText, errText) = (await stdout, await stderr);
            output.WriteLine($"screenshot: {png}");
            Assert.True(chromium.ExitCode == 0, $"chromium exited with {chromium.ExitCode}:\n{outText}\n{errText}");
            Assert.True(File.Exists(png) && new FileInfo(png).Length > 0, $"no screenshot at {png}:\n{errText}");
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
