using ComplianceEvents.Infrastructure;
using ComplianceEvents.Reports.CheckingDrift;
using ComplianceEvents.Reports.GettingReport;
using ComplianceEvents.Reports.GettingScores;
using JasperFx.Events.Projections;
using Marten;

namespace ComplianceEvents.Reports;

/// <summary>Reports store no events of their own (an edition is a cycle event); Table B's cells are a projection.</summary>
public sealed class ReportsModule : IStoreModule
{
    public IReadOnlyDictionary<Type, string> Events { get; } = new Dictionary<Type, string>();

    public void Register(StoreOptions opts)
    {
        opts.Projections.Add(new CellScoreProjection(), ProjectionLifecycle.Inline);
        opts.Schema.For<CellScore>().Index(c => c.CycleId);
    }

    /// <summary>The Reports module's services: the drift check and monitor, and the cache of published editions.</summary>
    public static IServiceCollection AddReports(IServiceCollection services)
    {
        services.AddSingleton<ReadModelDrift>();
        services.AddSingleton<EditionRenderings>();
        services.AddSingleton<DriftMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<DriftMonitor>());
        services.AddSingleton<IStatusCheck, DriftHealth>();
        return services;
    }
}
