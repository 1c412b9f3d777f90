using ComplianceEvents.Commitments;
using ComplianceEvents.Infrastructure;
using Marten;
using Wolverine.Http;

namespace ComplianceEvents.Assessments.GettingAssessment;

/// <summary>One cell as a director reads it: evidence, proposals, the approved score, whether it is stale, what the rubric suggests.</summary>
public sealed record AssessmentView(string CycleId, string CommitmentId, string MemberCode, bool Applicable, string? NotApplicableReason,
    int? ApprovedScore, ApprovedScore? Approval, Proposal? Pending, IReadOnlyList<Proposal> Proposals, IReadOnlyList<EvidenceItem> Evidence,
    int? CurrentRubricVersion, int? SuggestedScore, bool Stale, IReadOnlyList<string> StaleReasons, long Version)
{
    public static AssessmentView From(Assessment a, Commitment c, IReadOnlyDictionary<string, EvidenceText> texts) =>
        new(a.CycleId, a.CommitmentId, a.MemberCode, c.IsApplicable(a.MemberCode), c.NotApplicable.GetValueOrDefault(a.MemberCode),
            a.Approved?.Score, a.Approved, a.Pending, a.Proposals, EvidenceItem.Of(a, a.Evidence, texts), c.CurrentRubric?.Version,
            a.SuggestedScore(c, c.CurrentRubric), a.StaleReasons(c).Count > 0, a.StaleReasons(c), a.Version);
}

public static class GetAssessmentQuery
{
    /// <summary>The cell, its commitment and its evidence text in one round trip on one database snapshot.</summary>
    public static Task<AssessmentView?> Load(IQuerySession session, string cycleId, string commitmentId, string member,
        CancellationToken ct) =>
        EvidenceText.OneSnapshot(session.DocumentStore, async snapshot =>
        {
            var key = Assessment.StreamKey(cycleId, commitmentId, member);
            var batch = snapshot.CreateBatchQuery();
            var assessment = batch.Load<Assessment>(key);
            var commitment = batch.Load<Commitment>(Commitment.StreamKey(cycleId, commitmentId));
            var texts = batch.Query<EvidenceText>().Where(t => t.StreamKey == key).ToList();
            await batch.Execute(ct);
            return await assessment is { } a && await commitment is { } c
                ? AssessmentView.From(a, c, (await texts).ToDictionary(t => t.Id))
                : null;
        }, ct);

    [WolverineGet("/cycles/{cycleId}/commitments/{commitmentId}/assessments/{memberCode}", OperationId = "GetAssessment"),
        Tags("Assessments"), Microsoft.AspNetCore.Mvc.ProducesResponseType<AssessmentView>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(string cycleId, string commitmentId, string memberCode, IQuerySession session, HttpContext http,
        CancellationToken ct) =>
        await Load(session, cycleId, commitmentId, memberCode, ct) is { } view
            ? Results.Ok(view)
            : Problems.NotFound(http, "assessment", $"No assessment {cycleId}/{commitmentId}/{memberCode} has been recorded.");
}
