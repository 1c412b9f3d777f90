using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.Faults.Reliability;

namespace ComplianceEvents.IntegrationTests.WriteSide;

public sealed class ConcurrencyTests(AppFixture app) : WriteSideTest(app)
{
    [Fact]
    public async Task twenty_concurrent_proposers_and_approvers_leave_a_consistent_stream()
    {
        await World.Build();
        await World.Expect(World.AsAnalyst(World.Evidence("CA", new DateOnly(2024, 7, 12))));

        var tasks = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            var results = new List<CommandResult>();
            for (var round = 0; round < 3; round++)
            {
                if (i % 2 == 0)
                    results.Add(await World.AsAnalyst(World.Proposal("CA", i % 3 - 1, "e1"), $"analyst-{i}"));
                else
                {
                    var pending = (await LoadAssessment()).Pending;
                    if (pending is not null)
                        results.Add(await App.Send(new ApproveScore(World.Cycle, World.C19, "CA", pending.ProposalId), $"director-{i}", World.DirectorRoles));
                }
            }
            return results;
        })).ToList();
        var all = (await Task.WhenAll(tasks)).SelectMany(r => r).ToList();

        Assert.All(all, r => Assert.Contains(r.Outcome, new[] { Outcome.Accepted, Outcome.Conflict }));
        Assert.Contains(all, r => r.Outcome == Outcome.Conflict);

        var events = await Stream(Assessment.StreamKey(World.Cycle, World.C19, "CA"));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.Version));
        var approvals = events.Select(e => e.Data).OfType<ScoreApproved>().ToList();
        Assert.Equal(approvals.Count, approvals.Select(a => a.ProposalId).Distinct().Count());
        var proposals = events.Select(e => e.Data).OfType<ScoreProposed>().Select(p => p.ProposalId).ToList();
        Assert.Equal(proposals.Count, proposals.Distinct().Count());
        Assert.Equal(all.Count(r => r.IsAccepted), events.Count - 2);
        // Every proposal but possibly the last was approved before the next could be made.
        Assert.True(proposals.Count - approvals.Count is 0 or 1);
        await Invariants.AssertHold(App.ConnectionString, App.ChainKey);
    }

    [Fact]
    public async Task ten_concurrent_copies_of_one_command_append_one_set_of_events()
    {
        await World.Build();
        var before = await App.EventCount();
        var evidence = World.Evidence("CA", new DateOnly(2024, 7, 12));
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            Task.Run(() => App.Send(evidence, World.Analyst, World.AnalystRoles, commandId: "harvest-42"))));

        Assert.All(results, r => Assert.True(r.IsAccepted, $"{r.Outcome} {r.Rule}"));
        Assert.Single(results.Select(r => string.Join(',', r.EventIds)).Distinct());
        Assert.Equal(9, results.Count(r => r.Replayed));
        Assert.Equal(before + 2, await App.EventCount()); // AssessmentOpened + EvidenceRecorded
        Assert.Single((await LoadAssessment()).Evidence);
        await Invariants.AssertHold(App.ConnectionString, App.ChainKey);
    }

    [Fact]
    public async Task overlapping_copies_that_the_winner_leaves_a_refusing_state_answer_as_the_winner()
    {
        await World.Build();
        await World.Expect(World.AsAnalyst(World.Evidence("CA", new DateOnly(2024, 7, 12))));
        var before = await App.EventCount();
        // A copy that reads the cell after the winner committed would be refused proposal-pending, a named evidence id evidence-exists.
        var proposal = World.Proposal("CA", 0, "e1");
        var evidence = World.Evidence("FR", new DateOnly(2024, 7, 13)) with { EvidenceId = "fr-1" };
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => i % 2 == 0
            ? App.Send(proposal, World.Analyst, World.AnalystRoles, commandId: "propose-ca")
            : App.Send(evidence, World.Analyst, World.AnalystRoles, commandId: "record-fr"))));

        Assert.All(results, r => Assert.True(r.IsAccepted, $"{r.Outcome} {r.Rule}: {r.Message}"));
        foreach (var copies in new[] { results.Where((_, i) => i % 2 == 0), results.Where((_, i) => i % 2 == 1) })
        {
            Assert.Single(copies.Select(r => string.Join(',', r.EventIds)).Distinct());
            Assert.Equal(7, copies.Count(r => r.Replayed));
        }
        Assert.Equal(before + 3, await App.EventCount()); // ScoreProposed; AssessmentOpened + EvidenceRecorded
        Assert.Single((await LoadAssessment()).Proposals);
    }

    [Fact]
    public async Task a_replayed_command_id_appends_nothing_and_a_reused_one_is_a_conflict()
    {
        await World.Build();
        var first = await App.Send(World.Evidence("CA", new DateOnly(2024, 7, 12)), World.Analyst, World.AnalystRoles, "cmd-7");
        var count = await App.EventCount();
        var replay = await App.Send(World.Evidence("CA", new DateOnly(2024, 7, 12)), World.Analyst, World.AnalystRoles, "cmd-7");
        Assert.True(replay.Replayed);
        Assert.Equal(first.ResourceId, replay.ResourceId);
        Assert.Equal(count, await App.EventCount());

        var reused = await Refused(() => App.Send(World.Evidence("CA", new DateOnly(2024, 8, 1)), World.Analyst, World.AnalystRoles, "cmd-7"),
            Outcome.Conflict, "command-id-reused");
        Assert.Equal("commandId", Assert.Single(reused.Errors).Field);
    }
}
