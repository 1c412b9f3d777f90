using ComplianceEvents.Infrastructure;
using JasperFx.Events.Projections;
using Marten;

namespace ComplianceEvents.Assessments;

public sealed class AssessmentsModule : IStoreModule
{
    public IReadOnlyDictionary<Type, string> Events { get; } = new Dictionary<Type, string>
    {
        [typeof(AssessmentOpened)] = "assessment_opened",
        [typeof(EvidenceRecorded)] = "evidence_recorded",
        [typeof(EvidenceAmended)] = "evidence_amended",
        [typeof(EvidenceWithdrawn)] = "evidence_withdrawn",
        [typeof(ScoreProposed)] = "score_proposed",
        [typeof(ProposalReturned)] = "proposal_returned",
        [typeof(ScoreApproved)] = "score_approved",
        [typeof(ScoreRejected)] = "score_rejected",
    };

    /// <summary>The cell's lean snapshot and, beside it, one text document per evidence item (both inline).</summary>
    public void Register(StoreOptions opts)
    {
        opts.Projections.Add(new StreamFold<Assessment>(Assessment.Fold, Events.Keys), ProjectionLifecycle.Inline);
        opts.Projections.Add(new EvidenceTextProjection(), ProjectionLifecycle.Inline);
        opts.Schema.For<Assessment>().Index(a => a.CycleId);
        opts.Schema.For<EvidenceText>().Index(t => t.CycleId);
        opts.Schema.For<EvidenceText>().Index(t => t.StreamKey);
    }

    /// <summary>Before issue 20 a cell's snapshot held its evidence text, and its items no character count.</summary>
    public string OlderShapeQuery(IReadOnlyStoreOptions opts) =>
        $"select exists (select 1 from {opts.FindOrResolveDocumentType(typeof(Assessment)).TableName.QualifiedName} " +
            "where jsonb_typeof(data -> 'Evidence' -> 0) = 'object' and not (data -> 'Evidence' -> 0 ? 'Characters'))";
}
