using ComplianceEvents.Infrastructure;
using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;

namespace ComplianceEvents.Commitments;

public sealed class CommitmentsModule : IStoreModule
{
    public IReadOnlyDictionary<Type, string> Events { get; } = new Dictionary<Type, string>
    {
        [typeof(CommitmentSelected)] = "commitment_selected",
        [typeof(CommitmentRenumbered)] = "commitment_renumbered",
        [typeof(MemberMarkedNotApplicable)] = "member_marked_not_applicable",
        [typeof(MemberApplicabilityRestored)] = "member_applicability_restored",
        [typeof(RubricPublished)] = "rubric_published",
        [typeof(RubricRevised)] = "rubric_revised",
    };

    public void Register(StoreOptions opts)
    {
        opts.Projections.Add(new StreamFold<Commitment>(Commitment.Fold, Events.Keys), ProjectionLifecycle.Inline);
        opts.Schema.For<Commitment>().Index(c => c.CycleId);
        // A commitment's number is unique in its cycle, but each commitment is its own stream: two concurrent selections
        // with one number would both pass the decision's read. The index makes the second commit fail, and the runner
        // decides again, now seeing the number taken (ADR 0003).
        opts.Schema.For<Commitment>().UniqueIndex(UniqueIndexType.Computed, "uq_commitment_cycle_number", c => c.CycleId, c => c.Number);
    }
}
