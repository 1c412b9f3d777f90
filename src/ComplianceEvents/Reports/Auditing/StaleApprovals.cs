using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using Marten;

namespace ComplianceEvents.Reports.Auditing;

public sealed record StaleApproval(string CommitmentId, string Member, string Score, int RubricVersion, IReadOnlyList<string> Reasons);

/// <summary>DESIGN 1.2 rule 8: approvals that rest on an outdated rubric or on evidence amended or withdrawn after approval.</summary>
public static class StaleApprovals
{
    public static async Task<IReadOnlyList<StaleApproval>> Of(IQuerySession session, string cycleId, CancellationToken ct)
    {
        var commitments = (await session.Query<Commitment>().Where(c => c.CycleId == cycleId).ToListAsync(ct)).ToDictionary(c => c.CommitmentId);
        var assessments = await session.Query<Assessment>().Where(a => a.CycleId == cycleId).ToListAsync(ct);
        return assessments
            .Where(a => a.Approved is not null && commitments.ContainsKey(a.CommitmentId))
            .Select(a => (a, reasons: a.StaleReasons(commitments[a.CommitmentId])))
            .Where(x => x.reasons.Count > 0)
            .OrderBy(x => commitments[x.a.CommitmentId].Number).ThenBy(x => x.a.MemberCode)
            .Select(x => new StaleApproval(x.a.CommitmentId, x.a.MemberCode, Scores.Format(x.a.Approved!.Score), x.a.Approved.RubricVersion, x.reasons))
            .ToList();
    }
}
