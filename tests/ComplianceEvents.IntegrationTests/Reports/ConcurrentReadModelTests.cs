using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Commitments.ChangingApplicability;
using ComplianceEvents.Commitments.SelectingCommitment;
using Marten;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.Integration;
using ComplianceEvents.IntegrationTests.WriteSide;
using ComplianceEvents.Reports;
using ComplianceEvents.Reports.AsOf;
using ComplianceEvents.Reports.CheckingDrift;
using ComplianceEvents.Reports.GettingScores;
using ComplianceEvents.Reports.PublishingReport;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Reports;

/// <summary>
/// Issue 21: overlapping writers. Every read model must equal the fold of its events after concurrent commands on
/// different streams, and every edition or as-of answer given under load must regenerate identically later.
/// </summary>
public sealed class ConcurrentReadModelTests(AppFixture app) : WriteSideTest(app)
{
    private static readonly string[] Members = ["CA", "FR", "DE", "IT", "JP", "UK", "US", "EU"];

    private ReadModelDrift Drift => App.Factory.Services.GetRequiredService<ReadModelDrift>();

    [Fact]
    public async Task concurrent_approvals_on_every_cell_and_na_changes_on_the_commitment_all_reach_every_read_model()
    {
        await World.Build();
        foreach (var m in Members) await World.Expect(World.AsAnalyst(World.Evidence(m, new DateOnly(2024, 7, 12))));
        var director = App.Client(World.Director, Roles.ComplianceDirector);
        var random = new Random(21);
        var lostRaces = 0;

        for (var round = 1; round <= 6; round++)
        {
            // A new proposal on each of the eight cells, then eight approvals at once, each on its own stream, while
            // N/A marks and restorations hit the commitment's stream at the same time.
            var proposals = new Dictionary<string, string>();
            var commitment = await Load<Commitment>(Commitment.StreamKey(World.Cycle, World.C19));
            foreach (var m in Members.Where(commitment.IsApplicable))
                proposals[m] = (await Load<Assessment>(Assessment.StreamKey(World.Cycle, World.C19,
                    m))).Pending?.ProposalId // refused last round: N/A won the race
                    ?? (await World.Expect(World.AsAnalyst(World.Proposal(m, random.Next(-1, 2), "e1")))).ResourceId!;
            var approvals = proposals.Keys.Select(m => director.PostAsJsonAsync(
                $"/cycles/{World.Cycle}/commitments/{World.C19}/assessments/{m}/proposals/{proposals[m]}/approval", new { })).ToList();
            var applicability = Enumerable.Range(0, 6).Select(i => App.Send(i % 2 == 0
                    ? new MarkMemberNotApplicable(World.Cycle, World.C19, Members[(round + i) % Members.Length],
                        "Not a party to this commitment.")
                    : new RestoreMemberApplicability(World.Cycle, World.C19, Members[(round + i - 1) % Members.Length], "Party after all."),
                World.Director, World.DirectorRoles)).ToList();

            foreach (var response in await Task.WhenAll(approvals))
            {
                // An approval races the N/A mark of its own member: either order is a valid history.
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created
                    || (response.StatusCode == HttpStatusCode.UnprocessableEntity && body.Contains("member-not-applicable")), body);
            }
            foreach (var result in await Task.WhenAll(applicability))
            {
                // Marking a member that a concurrent command already marked is a rule refusal, a lost race after three tries a conflict.
                Assert.True(result.Outcome is Outcome.Accepted or Outcome.Conflict or Outcome.Rejected,
                    $"{result.Outcome} {result.Rule}: {result.Message}");
                if (result.Outcome == Outcome.Conflict) lostRaces++;
            }

            await AssertEveryReadModelIsTheFold(director);
        }
        Assert.True(lostRaces < 36, "every applicability change lost its race: the test did not exercise the commitment stream");
    }

    /// <summary>GET /scores, the `scores` table and every stored document against a fresh fold of the events.</summary>
    private async Task AssertEveryReadModelIsTheFold(HttpClient client)
    {
        await using var session = App.Store.QuerySession();
        var state = await CycleHistory.StateAt(session, World.Cycle, AsOfPoint.Now);
        string Expected(string commitment, string member) =>
            !state.Commitments[commitment].IsApplicable(member) ? "N/A"
            : state.Assessments.GetValueOrDefault((commitment, member))?.Approved is { } a ? Scores.Format(a.Score) : "";

        var table = (await TableB.Load(session, World.Cycle))!;
        foreach (var row in table.Commitments)
            foreach (var cell in row.Cells)
                Assert.Equal(Expected(row.CommitmentId, cell.Member.Code), cell.Display);

        using var scores = JsonDocument.Parse(await client.GetStringAsync($"/cycles/{World.Cycle}/scores"));
        foreach (var row in scores.RootElement.GetProperty("commitments").EnumerateArray())
            foreach (var cell in row.GetProperty("cells").EnumerateArray())
                Assert.Equal(Expected(row.GetProperty("commitmentId").GetString()!, cell.GetProperty("member").GetString()!),
                    cell.GetProperty("display").GetString());

        var drift = await Drift.Check(World.Cycle);
        Assert.True(drift.Clean, string.Join("\n", drift.Drifts));
        Assert.True(drift.Documents >= 1 + 1 + 2 * Members.Length, $"the check compared only {drift.Documents} documents");
    }

    [Fact]
    public async Task editions_published_and_reports_read_as_of_a_sequence_under_sixteen_writers_all_regenerate_identically()
    {
        await World.Build();
        var reader = App.Client("reader", Roles.Analyst);
        var mark = await App.EventCount();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            var written = 0;
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var member = Members[(w + i) % Members.Length];
                var result = await World.AsAnalyst(World.Evidence(member, new DateOnly(2024, 7, 1 + i % 28)), $"writer-{w}");
                Assert.True(result.Outcome is Outcome.Accepted or Outcome.Conflict, $"{result.Outcome} {result.Rule}: {result.Message}");
                if (result.IsAccepted) written++;
            }
            return written;
        })).ToList();

        var published = new List<int>();
        var asOf = new List<(string Query, string Text)>();
        // Each edition and each as-of read is taken while the writers are committing: at least one evidence item per
        // writer lands between two publications.
        async Task WritersMoved()
        {
            var from = mark;
            mark = await IntegrationHost.Eventually(() => App.EventCount(), n => n >= from + 16, "sixteen more evidence items");
        }
        await WritersMoved();
        for (var e = 1; e <= 10; e++)
        {
            var result = await App.Send(new PublishReport(World.Cycle, ReportKind.Interim, e == 1 ? null : $"Correction {e}"), "chair",
                [Roles.Editor]);
            Assert.True(result.IsAccepted, $"{result.Outcome} {result.Rule}: {result.Message}");
            published.Add(e);

            // What is visible now is not yet settled: lower sequences may still be committing.
            var visible = await HighestVisibleSequence();
            var query = $"/cycles/{World.Cycle}/report?kind=interim&asOfSequence={visible}&format=json";
            var response = await reader.GetAsync(query);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            asOf.Add((query, await response.Content.ReadAsStringAsync()));
            var now = DateTimeOffset.UtcNow.AddMilliseconds(-5).ToString("O");
            var timeQuery = $"/cycles/{World.Cycle}/report?kind=interim&asOfTime={Uri.EscapeDataString(now)}&format=json";
            var timed = await reader.GetAsync(timeQuery);
            Assert.Equal(HttpStatusCode.OK, timed.StatusCode);
            asOf.Add((timeQuery, await timed.Content.ReadAsStringAsync()));
            await WritersMoved();
        }
        await stop.CancelAsync();
        var writes = (await Task.WhenAll(writers)).Sum();
        Assert.True(writes > 100, $"only {writes} evidence items were written: the load did not overlap the publications");

        await using var session = App.Store.QuerySession();
        foreach (var e in published)
        {
            var v = (await Reporting.Verify(session, World.Cycle, ReportKind.Interim, e))!;
            Assert.True(v.Identical, $"edition {e} pinned at {v.PinnedSequence}: published {v.Expected}, regenerated {v.Actual}");
        }
        foreach (var (query, text) in asOf)
            Assert.True(text == await reader.GetStringAsync(query), $"{query} answered differently after the writers stopped");
        var drift = await Drift.Check(World.Cycle);
        Assert.True(drift.Clean, string.Join("\n", drift.Drifts));
    }

    [Fact]
    public async Task a_pin_waits_for_a_transaction_holding_a_lower_sequence_and_a_point_beyond_the_log_is_refused()
    {
        await World.Build();
        var horizon = App.Factory.Services.GetRequiredService<LogHorizon>();

        // A writer that has taken a sequence number but not committed yet.
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("select nextval('compliance.mt_events_sequence')", conn, tx))
        {
            var held = (long)(await take.ExecuteScalarAsync())!;
            var settling = horizon.Settle();
            // The settle is seen polling for the open transaction (its last statement in pg_stat_activity), or it finished.
            await IntegrationHost.Eventually(async () => settling.IsCompleted || await Polling(), polling => polling,
                "the settle polling pg_locks");
            Assert.False(settling.IsCompleted, "the pin did not wait for a transaction holding a lower sequence");
            await tx.CommitAsync();
            var settled = await settling.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(settled.Sequence >= held, $"settled at {settled.Sequence}, below the sequence {held} that was in flight");
        }

        var reader = App.Client("reader", Roles.Analyst);
        var beyond = await reader.GetAsync($"/cycles/{World.Cycle}/report?asOfSequence={horizon.Known.Sequence + 1000}");
        Assert.Equal(HttpStatusCode.Conflict, beyond.StatusCode);
        using var problem = JsonDocument.Parse(await beyond.Content.ReadAsStringAsync());
        Assert.Equal("not-settled", problem.RootElement.GetProperty("title").GetString());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("asOfSequence", out _));
        var inAnHour = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        var future = await reader.GetAsync($"/cycles/{World.Cycle}/report?asOfTime={inAnHour}");
        Assert.Equal(HttpStatusCode.Conflict, future.StatusCode);
        var explainFuture = await reader.GetAsync(
            $"/cycles/{World.Cycle}/commitments/{World.C19}/assessments/CA/explanation?from=0&to={horizon.Known.Sequence + 1000}");
        Assert.Equal(HttpStatusCode.Conflict, explainFuture.StatusCode);
    }

    [Fact]
    public async Task the_drift_check_names_every_corrupted_read_model_and_repair_rebuilds_them()
    {
        await World.Build();
        await World.ApprovedCell("CA");
        await World.ApprovedCell("FR");
        Assert.True((await Drift.Check()).Clean);

        var ca = Assessment.StreamKey(World.Cycle, World.C19, "CA");
        var fr = Assessment.StreamKey(World.Cycle, World.C19, "FR");
        await Sql($"update compliance.mt_doc_cellscore set data = jsonb_set(data, '{{Score}}', '1') where id = '{ca}'");
        await Sql($"update compliance.mt_doc_assessment set data = jsonb_set(data, '{{Approved,Score}}', '-1') where id = '{fr}'");
        await Sql($"delete from compliance.mt_doc_commitment where id = 'commitment:{World.Cycle}:{World.C19}'");
        await Sql($"insert into compliance.mt_doc_cellscore (id, data, mt_dotnet_type, mt_version, mt_last_modified) " +
                  $"select 'assessment:{World.Cycle}:{World.C19}:XX', data, mt_dotnet_type, mt_version, mt_last_modified from " +
                      $"compliance.mt_doc_cellscore where id = '{ca}'");

        var report = await Drift.Check();
        var found = report.Drifts.Select(d => $"{d.ReadModel} {d.Id} {d.Problem}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(new[]
        {
            $"assessment {fr} differs",
            $"cell-score {ca} differs",
            $"cell-score assessment:{World.Cycle}:{World.C19}:XX orphan",
            $"commitment commitment:{World.Cycle}:{World.C19} missing",
        }, found);
        Assert.Contains("Score", report.Drifts.Single(d => d.Id == ca).Detail);

        // /health reports the monitor's last check: unhealthy, naming the documents.
        var monitor = App.Factory.Services.GetRequiredService<DriftMonitor>();
        await monitor.RunNow();
        var health = await App.Factory.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains($"cell-score {ca}: differs", await health.Content.ReadAsStringAsync());

        // The CLI says the same and exits 1; repair rebuilds and exits 0; the check is clean again.
        var cli = new Imports.Cli(App);
        var drift = await cli.Run("drift");
        Assert.Equal(1, drift.Exit);
        Assert.Contains($"cell-score {ca}: differs", drift.Out);
        var repair = await cli.Run("repair");
        Assert.True(repair.Exit == 0, repair.Err + repair.Out);
        Assert.Contains("repaired 4; no drift", repair.Out);
        Assert.True((await Drift.Check()).Clean);
        await monitor.RunNow();
        Assert.Equal(HttpStatusCode.OK, (await App.Factory.CreateClient().GetAsync("/health")).StatusCode);
        await using var session = App.Store.QuerySession();
        Assert.Equal("0", (await TableB.Load(session, World.Cycle))!.Commitments[0].Cells[0].Display);
    }

    [Fact]
    public async Task concurrent_selections_of_commitments_with_one_number_accept_exactly_one()
    {
        await World.Build();
        for (var round = 0; round < 3; round++)
        {
            var number = 30 + round;
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => World.AsDirector(new SelectCommitment(World.Cycle,
                $"c{round}-{i}", number,
                "Health", $"Commitment {i}", "We will act.", "G7 Apulia Leaders' Communique", World.Lead, World.Director))));
            Assert.Single(results, r => r.IsAccepted);
            Assert.All(results.Where(r => !r.IsAccepted), r => Assert.Equal("number-taken", r.Rule));
        }
        await using var session = App.Store.QuerySession();
        var numbers = (await session.Query<ComplianceEvents.Commitments.Commitment>().Where(c
            => c.CycleId == World.Cycle).ToListAsync()).Select(c => c.Number).ToList();
        Assert.Equal(numbers.Distinct().Count(), numbers.Count);
        Assert.Equal(4, numbers.Count);
        Assert.True((await Drift.Check(World.Cycle)).Clean);
    }

    private async Task<bool> Polling()
    {
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() "
            + "and query like '%virtualxid = any%'", conn);
        return (long)(await cmd.ExecuteScalarAsync())! > 0;
    }

    private async Task<long> HighestVisibleSequence()
    {
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select coalesce(max(seq_id), 0) from compliance.mt_events", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task Sql(string sql)
    {
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }
}
