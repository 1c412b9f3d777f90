using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// A module's part of the store: the stable names of its stored events (CONVENTIONS "Names": moving or renaming a class never
/// renames stored events) and its projections and indexes. <see cref="Persistence.Configure"/> registers every module of the
/// assembly, so the store knows no module by name.
/// </summary>
public interface IStoreModule
{
    IReadOnlyDictionary<Type, string> Events { get; }

    void Register(StoreOptions opts);

    /// <summary>
    /// A query answering whether the database holds read models of this module in a shape older code wrote (one boolean), for a
    /// database without a <see cref="ReadModelVersion"/> marker; null when the module has none to detect.
    /// </summary>
    string? OlderShapeQuery(IReadOnlyStoreOptions opts) => null;
}

/// <summary>The inline snapshot of one stream, folded by its aggregate's one dispatch (e.g. <c>Cycle.Fold</c>).</summary>
public sealed class StreamFold<T> : SingleStreamProjection<T, string> where T : class
{
    private readonly Func<T?, object, T?> _evolve;

    public StreamFold(Func<T?, object, T?> evolve, IEnumerable<Type> events)
    {
        _evolve = evolve;
        Name = typeof(T).Name;
        foreach (var type in events) IncludeType(type);
    }

    public override T? Evolve(T? snapshot, string id, IEvent e) => _evolve(snapshot, e.Data);
}
