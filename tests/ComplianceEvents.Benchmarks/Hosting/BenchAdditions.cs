using ComplianceEvents.Assessments;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Microsoft.Extensions.DependencyInjection;

namespace ComplianceEvents.Benchmarks.Hosting;

/// <summary>
/// What B3b needs and the product does not have yet, added to the product's host by the bench only (src/ is
/// untouched): an asynchronous projection, run by Marten's async daemon.
/// </summary>
public static class BenchAdditions
{
    public static void Register(IServiceCollection services) =>
        services.ConfigureMarten(opts => opts.Projections.Add(new CycleActivityProjection(), ProjectionLifecycle.Async));
}

/// <summary>B3b's asynchronous projection: per cycle, how much evidence, how many proposals and approvals (a dashboard-like read model).</summary>
public sealed class CycleActivity
{
    public string Id { get; set; } = "";
    public int Evidence { get; set; }
    public int Proposals { get; set; }
    public int Approvals { get; set; }
    public long LastSequence { get; set; }
}

public sealed class CycleActivityProjection : MultiStreamProjection<CycleActivity, string>
{
    public CycleActivityProjection()
    {
        Identity<IEvent<EvidenceRecorded>>(e => CycleOf(e.StreamKey!));
        Identity<IEvent<ScoreProposed>>(e => CycleOf(e.StreamKey!));
        Identity<IEvent<ScoreApproved>>(e => CycleOf(e.StreamKey!));
    }

    private static string CycleOf(string assessmentKey) => assessmentKey.Split(':')[1];

    public void Apply(IEvent<EvidenceRecorded> e, CycleActivity a) { a.Evidence++; a.LastSequence = e.Sequence; }
    public void Apply(IEvent<ScoreProposed> e, CycleActivity a) { a.Proposals++; a.LastSequence = e.Sequence; }
    public void Apply(IEvent<ScoreApproved> e, CycleActivity a) { a.Approvals++; a.LastSequence = e.Sequence; }
}
