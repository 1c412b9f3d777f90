using System.Diagnostics;
using System.IO.Compression;
using ComplianceEvents.Infrastructure;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Fixtures;

/// <summary>A fresh cluster the old database (seed-database/database.sql.gz) is restored into, one database per test.</summary>
public sealed class FixtureCluster : IDisposable
{
    public LocalPostgres Cluster { get; } = LocalPostgres.StartTemporary();

    public static string Folder => Repo.PathOf("tests", "ComplianceEvents.IntegrationTests", "Fixtures", "seed-database");

    /// <summary>Restores the dump with psql (it holds COPY blocks) into a new database and returns its connection string.</summary>
    public async Task<string> Restore()
    {
        var database = "fixture_" + Guid.NewGuid().ToString("N")[..8];
        await using (var conn = new NpgsqlConnection(Cluster.ConnectionString()))
        {
            await conn.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", conn);
            await create.ExecuteNonQueryAsync();
        }
        var psi = new ProcessStartInfo(Path.Combine(Cluster.BinDirectory, "psql"))
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in new[] { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", $"{Cluster.Port}", "-U", "postgres",
                     "-d", database })
            psi.ArgumentList.Add(a);
        using var psql = Process.Start(psi)!;
        var stdout = psql.StandardOutput.ReadToEndAsync();
        var stderr = psql.StandardError.ReadToEndAsync();
        await using (var dump = new GZipStream(File.OpenRead(Path.Combine(Folder, "database.sql.gz")), CompressionMode.Decompress))
            await dump.CopyToAsync(psql.StandardInput.BaseStream);
        psql.StandardInput.Close();
        await psql.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        await stdout;
        Assert.True(psql.ExitCode == 0, "psql could not restore the fixture: " + await stderr);
        return Cluster.ConnectionString(database);
    }

    public void Dispose() => Cluster.Dispose();
}

/// <summary>
/// Item 6 of issue 20: a database written by the main of 2026-12-02 (seed-database/, README.md there) opens under the current
/// code, as a user opens it (the CLI on it, nothing prepared), and every output captured then is byte-identical now.
/// </summary>
public sealed class FixtureDatabaseTests(FixtureCluster fixture) : IClassFixture<FixtureCluster>
{
    private static readonly IReadOnlyList<(string Name, string[] Args)> Captured =
        File.ReadAllLines(Path.Combine(FixtureCluster.Folder, "commands.tsv"))
            .Where(l => l.Length > 0)
            .Select(l => l.Split('\t'))
            .Select(p => (p[0], p[1].Split(' ')))
            .ToList();

    private static Task<(int Exit, string Out, string Err)> Cli(string connectionString, params string[] args) =>
        ProductProcess.Run(Repo.Root, new Dictionary<string, string?>
        {
            [$"ConnectionStrings__{Persistence.ConnectionStringName}"] = connectionString, ["TZ"] = "UTC",
        }, args);

    private static async Task<long> Scalar(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task every_output_captured_from_the_old_database_is_byte_identical_under_the_current_code()
    {
        var db = await fixture.Restore();
        Assert.True(Captured.Count >= 20, $"commands.tsv lists {Captured.Count} commands");
        // The first command opens the old schema alone (it may migrate or rebuild it); the rest read side by side.
        var first = await Cli(db, Captured[0].Args);
        var rest = new List<(int Exit, string Out, string Err)>();
        foreach (var chunk in Captured.Skip(1).Chunk(3))
            rest.AddRange(await Task.WhenAll(chunk.Select(c => Cli(db, c.Args))));
        var answers = rest.Prepend(first).ToList();

        var differences = new List<string>();
        foreach (var ((name, args), (exit, output, error)) in Captured.Zip(answers))
        {
            var expected = await File.ReadAllTextAsync(Path.Combine(FixtureCluster.Folder, "expected", name));
            if (exit != 0) differences.Add($"{name} ({string.Join(' ', args)}): exit {exit}: {error.Trim()}");
            else if (output != expected) differences.Add($"{name} ({string.Join(' ', args)}): {FirstDifference(expected, output)}");
        }
        Assert.True(differences.Count == 0, string.Join("\n", differences));
        Assert.All(Captured.Zip(answers).Where(c => c.First.Args[0] == "verify"), c => Assert.StartsWith("IDENTICAL ", c.Second.Out));
    }

    [Fact]
    public async Task a_new_command_appends_after_the_old_events_and_every_edition_still_verifies()
    {
        var db = await fixture.Restore();
        var lastOld = await Scalar(db, "select max(seq_id) from compliance.mt_events");
        var eventsOld = await Scalar(db, "select count(*) from compliance.mt_events where stream_id <> 'mt_tombstone'");

        // Importing the seed again on the old database finds everything there: its receipts and snapshots are read.
        var again = await Cli(db, "import", "data/seeds/2024-apulia.json");
        Assert.True(again.Exit == 0, again.Err);
        Assert.Contains("created: 0 commands\n", again.Out);
        Assert.Equal(eventsOld, await Scalar(db, "select count(*) from compliance.mt_events where stream_id <> 'mt_tombstone'"));

        var published = await Cli(db, "publish", "2024-apulia", "--kind", "interim", "--reason", "Fixture correction", "--user", "fixture");
        Assert.True(published.Exit == 0, published.Err);
        Assert.StartsWith("published 2024-apulia interim edition 2: sequence ", published.Out);
        var appended = await Scalar(db, "select max(seq_id) from compliance.mt_events where type = 'report_published'");
        Assert.True(appended > lastOld, $"the new event took sequence {appended}, not after the old log's {lastOld}");
        Assert.Equal(eventsOld + 1, await Scalar(db, "select count(*) from compliance.mt_events where stream_id <> 'mt_tombstone'"));
        Assert.Equal(await Scalar(db, "select count(*) from compliance.mt_events where stream_id = 'cycle:2024-apulia'"),
            await Scalar(db, "select version from compliance.mt_streams where id = 'cycle:2024-apulia'"));

        foreach (var (cycle, edition) in new[] { ("2017-taormina", "1"), ("2024-apulia", "1"), ("2024-apulia", "2") })
        {
            var verified = await Cli(db, "verify", cycle, "--kind", "interim", "--edition", edition);
            Assert.True(verified.Exit == 0, verified.Err + verified.Out);
            Assert.StartsWith("IDENTICAL ", verified.Out);
        }
        // Nothing else moved: edition 2 pins the same scores, so its Table B is edition 1's.
        var tableB = await Cli(db, "report", "2024-apulia", "--kind", "interim", "--edition", "2", "--format", "csv");
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(FixtureCluster.Folder, "expected", "2024-apulia-interim-edition-1.csv")),
            tableB.Out);
    }

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var x = i < e.Length ? e[i] : "<end>";
            var y = i < a.Length ? a[i] : "<end>";
            if (x != y) return $"line {i + 1}: expected '{Clip(x)}', got '{Clip(y)}'";
        }
        return "same lines, different bytes";
    }

    private static string Clip(string s) => s.Length > 160 ? s[..160] + "..." : s;
}
