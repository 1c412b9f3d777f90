using ComplianceEvents.Assessments;
using Marten.Events.Aggregation;

namespace ComplianceEvents.Reports.GettingScores;

/// <summary>
/// The approved score of one (cycle, commitment, member) cell, kept inline from that cell's assessment stream only;
/// id = the assessment stream key. N/A comes from the commitment's own snapshot. Each document has exactly one
/// writing stream, so two commands can only race on it by racing on its stream, which Marten's optimistic
/// concurrency refuses (docs/adr/0003-read-models-under-concurrent-writes.md).
/// </summary>
public sealed record CellScore(string Id, string CycleId, string CommitmentId, string MemberCode, int? Score, int? RubricVersion);

public sealed class CellScoreProjection : SingleStreamProjection<CellScore, string>
{
    public static CellScore Create(AssessmentOpened e) =>
        new(Assessment.StreamKey(e.CycleId, e.CommitmentId, e.MemberCode), e.CycleId, e.CommitmentId, e.MemberCode, null, null);

    public static CellScore Apply(ScoreApproved e, CellScore cell) => cell with { Score = e.Score, RubricVersion = e.RubricVersion };
}
