using ComplianceEvents.Infrastructure;
using JasperFx.Events.Projections;
using Marten;

namespace ComplianceEvents.Cycles;

public sealed class CyclesModule : IStoreModule
{
    public IReadOnlyDictionary<Type, string> Events { get; } = new Dictionary<Type, string>
    {
        [typeof(CycleOpened)] = "cycle_opened",
        [typeof(ReportWindowSet)] = "report_window_set",
        [typeof(CycleAmended)] = "cycle_amended",
        [typeof(ReportPublished)] = "report_published",
    };

    public void Register(StoreOptions opts) =>
        opts.Projections.Add(new StreamFold<Cycle>(Cycle.Fold, Events.Keys), ProjectionLifecycle.Inline);
}
