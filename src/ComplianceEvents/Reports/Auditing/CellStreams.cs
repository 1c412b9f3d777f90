using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using JasperFx.Events;
using Marten;

namespace ComplianceEvents.Reports.Auditing;

/// <summary>
/// What a cell's audit and explanation read: the cell's own streams by their exact keys (the stream index of mt_events), so
/// the cost grows with the cell, not with the cycle.
/// </summary>
public sealed record CellStreams(string CycleId, string CommitmentId, string Member)
{
    public string AssessmentKey => Assessment.StreamKey(CycleId, CommitmentId, Member);
    public string CommitmentKey => Commitment.StreamKey(CycleId, CommitmentId);
    public string CycleKey => Cycle.StreamKey(CycleId);

    /// <summary>The assessment and commitment streams (and the cycle stream with <paramref name="withCycle"/>), in global order.</summary>
    public async Task<IReadOnlyList<IEvent>> Read(IQuerySession session, bool withCycle, CancellationToken ct)
    {
        string[] keys = withCycle ? [CycleKey, CommitmentKey, AssessmentKey] : [CommitmentKey, AssessmentKey];
        return await session.Events.QueryAllRawEvents().Where(e => keys.Contains(e.StreamKey)).OrderBy(e => e.Sequence).ToListAsync(ct);
    }

    /// <summary>
    /// The last sequence any stream of the cycle (cycle, commitments, assessments) recorded at or before <paramref name="at"/>
    /// (or at all): one index probe per stream of the cycle, no event body read. 0 when there is none.
    /// </summary>
    public static async Task<long> LastSequence(IQuerySession session, string cycleId, DateTimeOffset? at, CancellationToken ct)
    {
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var sql = $"""
            select coalesce(max(last.seq_id), 0) from {schema}.mt_streams s
            cross join lateral (select e.seq_id from {schema}.mt_events e where e.stream_id = s.id and not e.is_archived
              {(at is null ? "" : "and e.timestamp <= ?")} order by e.version desc limit 1) last
            where not s.is_archived and (s.id = ? or s.id like ? or s.id like ?)
            """;
        object[] keys = [Cycle.StreamKey(cycleId), $"commitment:{EscapeLike(cycleId)}:%", $"assessment:{EscapeLike(cycleId)}:%"];
        var found = await session.AdvancedSql.QueryAsync<long>(sql, ct, at is { } t ? [t, .. keys] : keys);
        return found.Single();
    }

    /// <summary>Text matched literally inside a LIKE pattern (backslash is PostgreSQL's default escape).</summary>
    public static string EscapeLike(string text) => text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");
}
