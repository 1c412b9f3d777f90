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

    private async Task<long> Scalar(string sql)
    {
        await using var conn = new NpgsqlConnection(App.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static string Insert(long seq, string stream, string type) =>
        $"insert into compliance.mt_events (seq_id, id, stream_id, version, data, type) values ({seq}, gen_random_uuid(), " +
        $"'{stream}', {seq}, '{{}}', '{type}')";

    /// <summary>
    /// Marten writes a failed append's tombstones after that transaction ended, so possibly below the point the chain has
    /// passed meanwhile: such a tombstone is not a break, while any other event appearing there still is (not-in-chain).
    /// </summary>
    [Fact]
    public async Task a_tombstone_written_below_the_chained_point_is_no_break_but_another_event_there_is()
    {
        await World.Build();
        var (late, forged) = (await Scalar("select nextval('compliance.mt_events_sequence')"),
            await Scalar("select nextval('compliance.mt_events_sequence')"));
        await World.ApprovedCell();
        await Invariants.AssertHold(App.ConnectionString, App.ChainKey); // the chain is past both sequences now

        await Execute($"insert into compliance.mt_streams (id, version) values ('{Invariants.TombstoneStream}', 0) " +
            "on conflict do nothing; " + Insert(late, Invariants.TombstoneStream, "tombstone"));
        await Invariants.AssertHold(App.ConnectionString, App.ChainKey);

        await Execute(Insert(forged, Invariants.TombstoneStream, "evidence_recorded"));
        var broken = await Assert.ThrowsAnyAsync<Exception>(() => Invariants.AssertHold(App.ConnectionString, App.ChainKey));
        Assert.Contains($"not-in-chain at sequence {forged} (stream {Invariants.TombstoneStream}", broken.Message);
        await Execute($"delete from compliance.mt_events where seq_id = {forged}");
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
