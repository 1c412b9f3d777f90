using System.Text.Json.Nodes;
using ComplianceEvents.Assessments;
using ComplianceEvents.Cycles;
using ComplianceEvents.IntegrationTests.Cycles;
using ComplianceEvents.Imports;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.WriteSide;
using ComplianceEvents.Reports;
using ComplianceEvents.Reports.AsOf;
using ComplianceEvents.Reports.Rendering;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Imports;

/// <summary>
/// A cycle dataset is imported all or nothing (issue 14 item 5): one transaction, every step under its own command's rules
/// and its own user, a refused step appends nothing, a re-import is answered from receipts, and a concurrent writer makes
/// the import save nothing rather than interleave.
/// </summary>
public sealed class DatasetImportTests(AppFixture app) : HostTest(app)
{
    private static Task<string> Seed() => File.ReadAllTextAsync(Repo.PathOf("data", "seeds", "2024-apulia.json"));

    private async Task<ImportReport> Import(string json)
    {
        await using var scope = App.Factory.Services.CreateAsyncScope();
        return await DatasetImporter.From(scope.ServiceProvider).Import(json);
    }

    private async Task<List<T>> Column<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(reader.GetFieldValue<T>(0));
        return rows;
    }

    private async Task<string?> Header(string header, string type, string streamId) =>
        (await Column<string>($"select headers->>'{header}' from compliance.mt_events where type = @t and stream_id = @s "
            + "order by seq_id limit 1", ("t", type), ("s", streamId))).SingleOrDefault();

    private async Task<string> InterimReport()
    {
        await using var session = App.Store.QuerySession();
        return MarkdownRenderer.Render((await Reporting.AsOf(session, "2024-apulia", ReportKind.Interim, AsOfPoint.Now))!);
    }

    [Fact]
    public async Task the_seed_chapter_is_one_transaction_with_each_steps_own_user_and_command_and_a_reimport_appends_nothing()
    {
        var json = await Seed();
        var first = await Import(json);
        Assert.True(first.Succeeded, first.Summary());

        // xmin: the transaction that inserted the row. Every event of the file, of every stream, in one.
        Assert.Single(await Column<string>("select distinct xmin::text from compliance.mt_events where stream_id <> 'mt_tombstone'"));
        // The chapter's golden report.
        Golden.Verify("2024-apulia-interim", await InterimReport(), "md",
            testFile: Repo.PathOf("tests", "ComplianceEvents.IntegrationTests", "Reports", "ReportTests.cs"));

        // The events carry the people the file names and the command each step was, step by step.
        var dataset = JsonNode.Parse(json)!;
        var ca = dataset["commitments"]![0]!["assessments"]!.AsArray().First(a => (string?)a!["member"] == "CA")!;
        Assert.Equal((string?)ca["proposals"]![0]!["by"], await Header("user-id", "score_proposed", "assessment:2024-apulia:19:CA"));
        Assert.Equal((string?)ca["proposals"]![0]!["review"]!["by"], await Header("user-id", "score_approved",
            "assessment:2024-apulia:19:CA"));
        Assert.Equal("SelectCommitment", await Header("command", "commitment_selected", "commitment:2024-apulia:19"));
        Assert.Equal("PublishRubric", await Header("command", "rubric_published", "commitment:2024-apulia:19"));
        Assert.Equal("ReviseRubric", await Header("command", "rubric_revised", "commitment:2024-apulia:19"));
        Assert.Equal("import:2024-apulia:commitment:19", await Header("command-id", "commitment_selected", "commitment:2024-apulia:19"));
        // The log keeps the order of the file's steps across streams: the revision follows every approval it postdates.
        var order = await Column<long>("select seq_id from compliance.mt_events where type in ('score_approved', 'rubric_revised') "
            + "order by seq_id");
        Assert.Equal((await Column<long>("select seq_id from compliance.mt_events where type = 'rubric_revised'")).Single(), order[^1]);

        var events = await App.EventCount();
        var again = await Import(json);
        Assert.True(again.Succeeded, again.Summary());
        Assert.Equal(0, again.Created);
        Assert.Equal(first.Created, again.AlreadyThere);
        Assert.Equal(events, await App.EventCount());
    }

    [Fact]
    public async Task one_refused_step_appends_nothing_and_is_the_reports_one_refusal()
    {
        var dataset = JsonNode.Parse(await Seed())!;
        var ca = dataset["commitments"]![0]!["assessments"]!.AsArray().First(a => (string?)a!["member"] == "CA")!;
        // Proposed by its own reviewer: separation of duties refuses the review, and so the file.
        ca["proposals"]![0]!["by"] = (string?)ca["proposals"]![0]!["review"]!["by"];

        var report = await Import(dataset.ToJsonString());
        Assert.False(report.Succeeded);
        var refused = Assert.Single(report.Refused);
        Assert.Equal("commitment:19:CA:proposal:1:approve", refused.Step);
        Assert.Equal(Outcome.Forbidden, refused.Result.Outcome);
        Assert.Equal("separation-of-duties", refused.Result.Rule);
        Assert.Equal((0, 0), (report.Created, report.AlreadyThere));
        Assert.Equal(0, await App.EventCount());
        Assert.Empty(await Column<string>("select id from compliance.mt_doc_commandreceipt"));
    }

    [Fact]
    public async Task a_step_changed_since_it_was_imported_is_refused_naming_it_and_appends_nothing()
    {
        var json = await Seed();
        Assert.True((await Import(json)).Succeeded);
        var events = await App.EventCount();

        var dataset = JsonNode.Parse(json)!;
        var ca = dataset["commitments"]![0]!["assessments"]!.AsArray().First(a => (string?)a!["member"] == "CA")!;
        ca["evidence"]![0]!["summary"] = "A different account of the same action.";
        var report = await Import(dataset.ToJsonString());

        var refused = Assert.Single(report.Refused);
        Assert.Equal($"commitment:19:CA:evidence:{(string?)ca["evidence"]![0]!["key"]}", refused.Step);
        Assert.Equal("command-id-reused", refused.Result.Rule);
        Assert.Equal(events, await App.EventCount());
    }

    [Fact]
    public async Task four_imports_of_one_file_at_once_save_it_once()
    {
        var json = await Seed();
        Assert.True((await Import(json)).Succeeded);
        var expected = (Events: await App.EventCount(), Report: await InterimReport());
        await App.ResetAsync();

        var reports = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Import(json))));

        // One saves the file; each other one either lost the race (and saved nothing) or came after it (and found it all there).
        Assert.Single(reports, r => r.Created > 0);
        Assert.All(reports.Where(r => r.Created == 0), r =>
            Assert.True(r.Succeeded ? r.AlreadyThere > 0 : r.Errors.Single().StartsWith("stream-version:", StringComparison.Ordinal),
                r.Summary()));
        Assert.Equal(expected.Events, await App.EventCount());
        Assert.Equal(expected.Report, await InterimReport());
    }

    [Fact]
    public async Task a_writer_between_the_imports_read_and_its_commit_makes_it_save_nothing()
    {
        Assert.True((await Import(await Seed())).Succeeded);
        var events = await App.EventCount();

        await using var scope = App.Factory.Services.CreateAsyncScope();
        await using var tx = await ImportTransaction.Begin(App.Store, scope.ServiceProvider.GetRequiredService<CommandValidators>(),
            scope.ServiceProvider.GetRequiredService<CommandSlices>(), DateTimeOffset.UtcNow, default);
        await tx.Load("2024-apulia", default);

        // Another writer records evidence on a cell the import also writes, after the import read it.
        var other = await App.Send(World.Evidence("CA", new DateOnly(2024, 11, 1)) with { EvidenceId = "other" }, World.Analyst,
            World.AnalystRoles);
        Assert.True(other.IsAccepted, other.Message);
        var mine = tx.Send(World.Evidence("CA", new DateOnly(2024, 11, 2)) with { EvidenceId = "mine" },
            new Actor(World.Analyst, World.AnalystRoles), "import:test:mine");
        Assert.True(mine.IsAccepted, mine.Message);

        var conflict = await tx.Commit(default);
        Assert.Equal("stream-version", conflict?.Rule);
        Assert.Equal(events + other.EventIds.Count, await App.EventCount());
    }

    [Fact]
    public async Task steps_checked_ahead_on_every_core_are_answered_as_if_checked_in_their_turn()
    {
        Assert.True((await Import(await Seed())).Succeeded);
        await using var scope = App.Factory.Services.CreateAsyncScope();
        var validators = scope.ServiceProvider.GetRequiredService<CommandValidators>();
        await using var tx = await ImportTransaction.Begin(App.Store, validators,
            scope.ServiceProvider.GetRequiredService<CommandSlices>(), DateTimeOffset.UtcNow, default);
        await tx.Load("2024-apulia", default);
        // Every seventh breaks the input contract (a control character), every eleventh a validator's rule (a blank summary).
        var commands = Enumerable.Range(0, 120).Select(i => World.Evidence("CA", new DateOnly(2024, 11, 1), Strength.Strong, "prevent")
            with { EvidenceId = $"ahead-{i}", Summary = i % 7 == 0 ? "Bell\u0007 in the text." : i % 11 == 0 ? "   " : $"Item {i}." })
            .ToList();
        var expected = commands.Select(c => validators.Check(c, null)?.Errors).ToList();

        tx.Precheck(commands);
        var answers = commands.Select((c, i) => tx.Send(c, new Actor(World.Analyst, World.AnalystRoles), $"import:test:{i}")).ToList();

        for (var i = 0; i < commands.Count; i++)
        {
            Assert.Equal(expected[i] is null, answers[i].IsAccepted);
            Assert.Equal(expected[i] ?? [], answers[i].Errors);
        }
        Assert.Contains(answers, a => a.Errors.Any(e => e.Rule == "control-character"));
        Assert.Contains(answers, a => !a.IsAccepted && a.Errors.All(e => e.Rule != "control-character"));
        Assert.Null(await tx.Commit(default));
        var hashes = await Column<string>("select data->>'PayloadHash' from compliance.mt_doc_commandreceipt " +
            "where id like '%import:test:%' order by (regexp_replace(id, '.*:', ''))::int");
        Assert.Equal(commands.Where((_, i) => expected[i] is null).Select(CommandRunner.PayloadHash), hashes);
    }

    [Fact]
    public async Task a_cycle_opened_by_another_writer_after_the_import_read_makes_it_save_nothing()
    {
        await using var scope = App.Factory.Services.CreateAsyncScope();
        await using var tx = await ImportTransaction.Begin(App.Store, scope.ServiceProvider.GetRequiredService<CommandValidators>(),
            scope.ServiceProvider.GetRequiredService<CommandSlices>(), DateTimeOffset.UtcNow, default);
        await tx.Load(World.Cycle, default);
        var open = OpeningCycleTests.Apulia();
        Assert.True(tx.Send(open, new Actor("importer", World.DirectorRoles), "import:test:cycle").IsAccepted);

        Assert.True((await App.Send(open, "someone-else", World.DirectorRoles)).IsAccepted);
        Assert.Equal("stream-version", (await tx.Commit(default))?.Rule);
        Assert.Equal("someone-else", await Header("user-id", "cycle_opened", Cycle.StreamKey(World.Cycle)));
    }
}
