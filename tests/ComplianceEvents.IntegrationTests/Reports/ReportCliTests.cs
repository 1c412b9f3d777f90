using ComplianceEvents.IntegrationTests.Imports;

namespace ComplianceEvents.IntegrationTests.Reports;

/// <summary>The read-side CLI as the README gives it, run as a separate process against the test database.</summary>
public sealed class ReportCliTests(AppFixture app) : HostTest(app)
{
    [Fact]
    public async Task report_publish_verify_audit_explain_and_stale_work_from_the_command_line()
    {
        var cli = new Cli(App);
        Assert.Equal(0, (await cli.Run("import", "data/seeds/2024-apulia.json")).Exit);

        var md = await cli.Run("report", "2024-apulia", "--kind", "interim");
        Assert.Equal(0, md.Exit);
        Assert.StartsWith("# 2024 G7 Apulia Summit Interim Compliance Report\n", md.Out);

        var csvFile = Path.Combine(Path.GetTempPath(), $"table-b-{Guid.NewGuid():N}.csv");
        Assert.Equal(0, (await cli.Run("report", "2024-apulia", "--kind", "interim", "--format", "csv", "--out", csvFile)).Exit);
        Assert.Contains("overall,,0.00,0.00,0.00,0.00,0.00,+1.00,+1.00,+1.00,+0.38,69", await File.ReadAllTextAsync(csvFile));
        File.Delete(csvFile);

        var published = await cli.Run("publish", "2024-apulia", "--kind", "interim");
        Assert.True(published.Exit == 0, published.Err);
        Assert.Contains("interim edition 1", published.Out);
        var verified = await cli.Run("verify", "2024-apulia", "--kind", "interim", "--edition", "1");
        Assert.True(verified.Exit == 0, verified.Err);
        Assert.StartsWith("IDENTICAL", verified.Out);
        var edition = await cli.Run("report", "2024-apulia", "--kind", "interim", "--edition", "1");
        Assert.Contains("Edition 1", edition.Out);

        var audit = await cli.Run("audit", "2024-apulia", "19", "JP");
        Assert.Contains("score-approved", audit.Out);
        var explain = await cli.Run("explain", "2024-apulia", "19", "JP", "--from", "0", "--to", "interim");
        Assert.True(explain.Exit == 0, explain.Err);
        Assert.StartsWith("2024-apulia 19 JP: none -> 0", explain.Out);
        var stale = await cli.Run("stale", "2024-apulia");
        Assert.Contains("rubric-revised", stale.Out);

        var bad = await cli.Run("report", "2024-apulia", "--kind", "midterm");
        Assert.NotEqual(0, bad.Exit);
        Assert.Contains("--kind must be interim or final", bad.Err);
        var missing = await cli.Run("verify", "2024-apulia", "--kind", "final", "--edition", "1");
        Assert.NotEqual(0, missing.Exit);
    }

    [Fact]
    public async Task a_cli_command_breaking_the_contract_exits_non_zero_with_one_line_naming_field_and_rule_and_appends_nothing()
    {
        var cli = new Cli(App);
        Assert.Equal(0, (await cli.Run("import", "data/seeds/2024-apulia.json")).Exit);
        var before = await App.EventCount();

        var longId = await cli.Run("publish", string.Join('-', Enumerable.Repeat("apulia", 10)), "--kind", "interim");
        Assert.NotEqual(0, longId.Exit);
        var line = Assert.Single(longId.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("publish:"));
        Assert.Contains("cycleId: max-length", line);

        // Accepted before the contract held for the CLI: a control character would have gone into the edition's event.
        var bell = await cli.Run("publish", "2024-apulia", "--kind", "interim", "--reason", "First edition\u0007");
        Assert.NotEqual(0, bell.Exit);
        Assert.Contains("reason: control-character", Assert.Single(bell.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            l => l.StartsWith("publish:")));
        Assert.Equal(before, await App.EventCount());
    }
}
