using ComplianceEvents.Assessments;
using ComplianceEvents.IntegrationTests.WriteSide;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Faults.Reliability;

/// <summary>The invariants hold on an ordinary world, and each kind of damage they look for is named where it is.</summary>
public sealed class InvariantsTests(AppFixture app) : WriteSideTest(app)
{
    private static readonly string Cell = Assessment.StreamKey(World.Cycle, World.C19, "CA");

    private async Task Execute(string sql)
    {
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task a_world_built_through_the_pipeline_holds_every_invariant_and_an_edited_snapshot_is_named()
    {
        await World.Build();
        await World.ApprovedCell();
        await Invariants.AssertHold(App.ConnectionString, App.ChainKey);

        // Behind the projection's back: the cell's snapshot says +1 where its events approved 0.
        await Execute($"update compliance.mt_doc_assessment set data = jsonb_set(data, '{{Approved,Score}}', '1') where id = '{Cell}'");
        var broken = await Assert.ThrowsAnyAsync<Exception>(() => Invariants.AssertHold(App.ConnectionString, App.ChainKey));
        Assert.Contains($"Assessment {Cell} differs from a fresh fold at $.Approved.Score (stored 1, fold 0)", broken.Message);
    }

    [Fact]
    public async Task an_event_without_its_user_or_a_stream_with_a_version_gap_is_named()
    {
        await World.Build();
        await World.ApprovedCell();
        await Execute($"update compliance.mt_events set headers = headers - 'user-id' where stream_id = '{Cell}' and version = 2");
        var unattributed = await Assert.ThrowsAnyAsync<Exception>(() => Invariants.AssertHold(App.ConnectionString, App.ChainKey));
        Assert.Contains($"(stream {Cell} version 2, evidence_recorded)", unattributed.Message);

        await Execute($"delete from compliance.mt_events where stream_id = '{Cell}' and version = 3");
        var gap = await Assert.ThrowsAnyAsync<Exception>(() => Invariants.AssertHold(App.ConnectionString, App.ChainKey));
        Assert.Contains($"stream {Cell}: recorded version 4, 3 events with versions 1..4", gap.Message);
    }
}
