using System.Net;
using System.Net.Http.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.IntegrationTests.Http;
using ComplianceEvents.IntegrationTests.WriteSide;

namespace ComplianceEvents.IntegrationTests.Identity;

/// <summary>An idempotency key belongs to its sender, and a replay is authorised like a fresh command before it is answered.</summary>
public sealed class IdempotencyPerSenderTests(AppFixture app) : WriteSideTest(app)
{
    private const string Cell = $"/cycles/{World.Cycle}/commitments/{World.C19}/assessments/CA";

    private static HttpRequestMessage Post(string path, object body, string key) =>
        new(HttpMethod.Post, path) { Content = JsonContent.Create(body, body.GetType(), options: ApiJson.Options),
            Headers = { { "Idempotency-Key", key } } };

    [Fact]
    public async Task a_viewer_resending_an_analysts_key_and_body_is_403_and_appends_nothing()
    {
        await World.Build();
        var body = World.Evidence("CA", new DateOnly(2024, 7, 12));
        var analyst = await App.Client(World.Analyst, Roles.Analyst).SendAsync(Post(Cell + "/evidence", body, "harvest-7"));
        Assert.Equal(HttpStatusCode.Created, analyst.StatusCode);
        var count = await App.EventCount();

        var viewer = await App.Client("victor", Roles.Viewer).SendAsync(Post(Cell + "/evidence", body, "harvest-7"));
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        Assert.False(viewer.Headers.Contains("Idempotent-Replay"));
        Assert.Contains("role-required", await viewer.Content.ReadAsStringAsync());
        Assert.Equal(count, await App.EventCount());
    }

    [Fact]
    public async Task a_replay_by_the_same_user_who_lost_the_role_is_refused_like_a_fresh_command()
    {
        await World.Build();
        var body = World.Evidence("CA", new DateOnly(2024, 7, 12));
        Assert.True((await App.Send(body, World.Analyst, World.AnalystRoles, "harvest-8")).IsAccepted);
        var count = await App.EventCount();

        var replay = await Refused(() => App.Send(body, World.Analyst, [Roles.Viewer], "harvest-8"), Outcome.Forbidden, "role-required");
        Assert.False(replay.Replayed);
        // Still the first answer for the user as authorised, whatever state the first command left (the decision is not redone).
        var again = await App.Send(body, World.Analyst, World.AnalystRoles, "harvest-8");
        Assert.True(again.Replayed && again.IsAccepted, $"{again.Outcome} {again.Rule}");
        Assert.Equal(count, await App.EventCount());
    }

    [Fact]
    public async Task an_approval_replayed_after_it_was_applied_returns_the_first_answer_only_to_a_reviewer()
    {
        await World.Build();
        await World.Expect(World.AsAnalyst(World.Evidence("CA", new DateOnly(2024, 7, 12))));
        await World.Expect(World.AsAnalyst(World.Proposal("CA", 0, "e1")));
        var approve = new ApproveScore(World.Cycle, World.C19, "CA", "p1");
        var first = await App.Send(approve, World.Lead, World.LeadRoles, "approve-1");
        Assert.True(first.IsAccepted);

        var replay = await App.Send(approve, " ANALI ", World.LeadRoles, "approve-1"); // the same sender, normalised
        Assert.True(replay.Replayed, $"{replay.Outcome} {replay.Rule}");
        Assert.Equal(first.EventIds, replay.EventIds);
        // The proposer sending the lead's key is another command: refused by separation of duties, not answered from the receipt.
        await Refused(() => App.Send(approve, World.Analyst, [Roles.Analyst, Roles.LeadAnalyst, Roles.ComplianceDirector], "approve-1"),
            Outcome.Forbidden, "separation-of-duties");
    }

    [Fact]
    public async Task the_same_key_from_two_users_at_once_is_two_commands_each_replayed_to_its_own_sender()
    {
        await World.Build();
        var before = await App.EventCount();
        var users = new[] { World.Analyst, World.OtherAnalyst };
        // Eight concurrent sends: four per user, same key, same body.
        var sends = Enumerable.Range(0, 8).Select(i => users[i % 2]).Select(user => Task.Run(async () =>
            (User: user, Result: await App.Send(World.Evidence("CA", new DateOnly(2024, 7, 12)), user, World.AnalystRoles,
                "shared-key")))).ToList();
        var results = await Task.WhenAll(sends);

        Assert.All(results, r => Assert.True(r.Result.IsAccepted, $"{r.User}: {r.Result.Outcome} {r.Result.Rule} {r.Result.Message}"));
        foreach (var user in users)
        {
            var mine = results.Where(r => r.User == user).ToList();
            Assert.Single(mine.Select(r => string.Join(',', r.Result.EventIds)).Distinct());
            Assert.Equal(3, mine.Count(r => r.Result.Replayed));
        }
        Assert.NotEqual(results.First(r => r.User == users[0]).Result.ResourceId, results.First(r => r.User == users[1]).Result.ResourceId);
        var evidence = (await LoadAssessment()).Evidence;
        Assert.Equal(2, evidence.Count);
        Assert.Equal(before + 3, await App.EventCount()); // AssessmentOpened + one EvidenceRecorded per sender
    }

    /// <summary>A receipt as stored before receipts were keyed by sender: under the bare command id.</summary>
    private async Task OldStyleReceipt(string commandId, object command, CommandResult result)
    {
        await using var session = App.Store.LightweightSession();
        session.Store(new CommandReceipt(commandId, command.GetType().Name, CommandRunner.PayloadHash(command), result,
            DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
    }

    [Fact]
    public async Task an_old_style_receipt_replays_to_its_sender_only_and_never_appends_a_duplicate()
    {
        await World.Build();
        var body = World.Evidence("CA", new DateOnly(2024, 7, 12));
        var first = await World.Expect(App.Send(body, World.Analyst, World.AnalystRoles));
        await OldStyleReceipt("harvest-old", body, first);
        var count = await App.EventCount();

        var replay = await App.Send(body, $" {World.Analyst.ToUpperInvariant()} ", World.AnalystRoles, "harvest-old");
        Assert.True(replay.Replayed && replay.IsAccepted, $"{replay.Outcome} {replay.Rule}: {replay.Message}");
        Assert.Equal(first.EventIds, replay.EventIds);
        Assert.Equal(count, await App.EventCount());

        // Another user's id is another command: recorded as theirs, never answered with the analyst's receipt.
        var other = await App.Send(body, World.OtherAnalyst, World.AnalystRoles, "harvest-old");
        Assert.True(other.IsAccepted && !other.Replayed, $"{other.Outcome} {other.Rule}: {other.Message}");
        Assert.NotEqual(first.ResourceId, other.ResourceId);
        Assert.Equal(count + 1, await App.EventCount());
    }

    [Fact]
    public async Task an_old_style_receipt_whose_sender_is_unknown_cannot_be_used_again()
    {
        await World.Build();
        var body = World.Evidence("CA", new DateOnly(2024, 7, 12));
        await OldStyleReceipt("harvest-lost", body, CommandResult.Accepted("assessment:elsewhere", 3, [Guid.NewGuid()]));

        var refused = await Refused(() => App.Send(body, World.Analyst, World.AnalystRoles, "harvest-lost"), Outcome.Conflict,
            "command-id-reused");
        Assert.Equal("commandId", Assert.Single(refused.Errors).Field);
    }
}
