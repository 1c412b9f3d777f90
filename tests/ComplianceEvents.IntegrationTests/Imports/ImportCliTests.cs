using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports.GettingScores;
using Marten;

namespace ComplianceEvents.IntegrationTests.Imports;

/// <summary>The CLI shape the docs give: `ComplianceEvents import &lt;file&gt;` and `scores &lt;cycle&gt;`, run as a separate process.</summary>
public sealed class ImportCliTests(AppFixture app) : HostTest(app)
{
    private Task<(int Exit, string Out, string Err)> Cli(params string[] args) => new Cli(App).Run(args);

    [Fact]
    public async Task import_then_scores_print_the_seed_average_and_a_bad_csv_exits_non_zero_with_its_line()
    {
        var (exit, output, error) = await Cli("import", "data/seeds/2024-apulia.json");
        Assert.True(exit == 0, error + output);
        // No framework lines (command discovery, schema DDL): only the progress of a long import ("import: 80/158 steps").
        Assert.All(error.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            l => Assert.Matches(@"^import: (\d+/\d+ steps|saving \d+ events in one transaction, \d+ s)$", l));
        Assert.Contains("created: ", output);
        Assert.Contains("outside-window:interim", output);

        (exit, output, error) = await Cli("scores", "2024-apulia");
        Assert.True(exit == 0, error);
        Assert.StartsWith("19. Migration and Refugees: Preventing Migrant Smuggling and Trafficking", output);
        Assert.Contains("+0.38 (69%)", output);

        var bad = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(bad, "cycle,commitment,area,text,CA,FR\n2013-lough-erne,1,Trade,Open " +
            "markets,1,0\n2013-lough-erne,2,Health,Polio,1,x\n");
        var events = await App.EventCount();
        (exit, _, error) = await Cli("import", bad);
        Assert.NotEqual(0, exit);
        Assert.Contains("line 3: FR = \"x\"", error);
        Assert.Equal(events, await App.EventCount());
        File.Delete(bad);
    }

    [Fact]
    public async Task a_file_over_the_size_limit_is_one_line_and_a_non_zero_exit()
    {
        var big = Path.Combine(Path.GetTempPath(), $"big-{Guid.NewGuid():N}.json");
        // A sparse file one byte over the limit.
        await using (var file = File.Create(big)) file.SetLength(ComplianceEvents.Imports.Importing.ImportCommand.MaxFileBytes + 1);
        var (exit, output, error) = await Cli("import", big);
        File.Delete(big);
        Assert.NotEqual(0, exit);
        Assert.Equal($"import: {big} is 32 MB; a file holds at most 32 MB (docs/import-format.md)", error.Trim());
        Assert.Equal("", output);
        Assert.Equal(0, await App.EventCount());
    }
}

/// <summary>Runs the built ComplianceEvents.dll as a separate process against the test database.</summary>
/// <summary>The product's CLI on the fixture's database, with the fixture host's chain key: one deployment signs with one key
/// (with a key of its own, `verify` rightly finds every event signed by another).</summary>
public sealed class Cli(AppFixture app)
{
    public Task<(int Exit, string Out, string Err)> Run(params string[] args) =>
        ProductProcess.Run(Repo.Root, new Dictionary<string, string?>
        {
            [$"ConnectionStrings__{Persistence.ConnectionStringName}"] = app.ConnectionString,
            ["Chain__Key"] = app.ChainKey,
        }, args);
}
