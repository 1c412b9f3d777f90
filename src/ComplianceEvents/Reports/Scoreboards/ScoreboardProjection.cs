using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using JasperFx.Events;
using Marten.Events.Projections;

namespace ComplianceEvents.Reports.Scoreboards;

/// <summary>A Table B cell as the scoreboard keeps it: the approved score, or N/A.</summary>
/// <remarks>No event sequence here: inline projections run before Marten assigns it, so a rebuild would differ.</remarks>
public sealed record ScoreboardCell(string CommitmentId, string MemberCode, int? Score, bool NotApplicable, int? RubricVersion);

/// <summary>The cells of Table B of one cycle (DESIGN 2.2), kept current inline; id = cycle id.</summary>
public sealed class Scoreboard
{
    public string Id { get; set; } = "";
    public List<ScoreboardCell> Cells { get; set; } = [];

    public ScoreboardCell? Find(string commitmentId, string member) =>
        Cells.FirstOrDefault(c => c.CommitmentId == commitmentId && c.MemberCode == member);

    public void Put(string commitmentId, string member, Func<ScoreboardCell, ScoreboardCell> change)
    {
        var existing = Find(commitmentId, member);
        var next = change(existing ?? new ScoreboardCell(commitmentId, member, null, false, null));
        if (existing is null) Cells.Add(next);
        else Cells[Cells.IndexOf(existing)] = next;
    }
}

/// <summary>
/// Approvals live on assessment streams, applicability on commitment streams: this projection gathers
/// both into one document per cycle. Assessment events do not repeat their cell, so it is read from the
/// stream key (assessment:{cycle}:{commitment}:{member}).
/// </summary>
public sealed class ScoreboardProjection : MultiStreamProjection<Scoreboard, string>
{
    public ScoreboardProjection()
    {
        Identity<IEvent<ScoreApproved>>(e => Cell(e.StreamKey!).Cycle);
        Identity<MemberMarkedNotApplicable>(e => e.CycleId);
        Identity<MemberApplicabilityRestored>(e => e.CycleId);
    }

    public static (string Cycle, string Commitment, string Member) Cell(string assessmentKey)
    {
        var parts = assessmentKey.Split(':');
        return (parts[1], parts[2], parts[3]);
    }

    public void Apply(IEvent<ScoreApproved> e, Scoreboard board)
    {
        var (_, commitment, member) = Cell(e.StreamKey!);
        board.Put(commitment, member, c => c with { Score = e.Data.Score, RubricVersion = e.Data.RubricVersion });
    }

    public void Apply(MemberMarkedNotApplicable e, Scoreboard board) =>
        board.Put(e.CommitmentId, e.MemberCode, c => c with { NotApplicable = true });

    public void Apply(MemberApplicabilityRestored e, Scoreboard board) =>
        board.Put(e.CommitmentId, e.MemberCode, c => c with { NotApplicable = false });
}
