using System.Diagnostics;
using ComplianceEvents.Reports.Rendering;
using ComplianceEvents.Tests.Reports;
using Xunit.Abstractions;

namespace ComplianceEvents.IntegrationTests.Browser;

/// <summary>
/// The slow tier: spawns a browser. ./test installs Chromium when it is missing (README "Test it"); a bare
/// `dotnet test` without it fails here with the package to install.
/// </summary>
[Trait("Tier", "Slow")]
public sealed class HtmlPageInChromiumTests(ITestOutputHelper output)
{
    [Fact]
    public async Task the_page_opens_in_headless_chromium_without_errors()
    {
        var chromium = FindChromium();
        var dir = Directory.CreateTempSubdirectory("html-report-");
        var html = Path.Combine(dir.FullName, "report.html");
        var png = Path.Combine(dir.FullName, "report.png");
        var profile = Directory.CreateTempSubdirectory("chromium-profile-");
        File.WriteAllText(html, HtmlRenderer.Render(SampleReport.Model()));
        var start = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={profile.FullName}", $"--screenshot={png}",
                "--window-size=1200,2000",
            new Uri(html).AbsoluteUri })
            start.ArgumentList.Add(arg);
        try
        {
            using var browser = Process.Start(start)!;
            var stdout = browser.StandardOutput.ReadToEndAsync();
            var stderr = browser.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try { await browser.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException)
            {
                browser.Kill(entireProcessTree: true);
                Assert.Fail("chromium did not finish within 60 s");
            }
            var (outText, errText) = (await stdout, await stderr);
            output.WriteLine($"screenshot: {png}");
            Assert.True(browser.ExitCode == 0, $"chromium exited with {browser.ExitCode}:\n{outText}\n{errText}");
            Assert.True(File.Exists(png) && new FileInfo(png).Length > 0, $"no screenshot at {png}:\n{errText}");
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string FindChromium() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin")
            .Select(d => Path.Combine(d, "chromium")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("chromium is not installed: run ./test, or install it with: sudo apt-get install -y " +
            "chromium");
}
