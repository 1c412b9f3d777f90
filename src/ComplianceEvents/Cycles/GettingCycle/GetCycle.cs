using ComplianceEvents.Infrastructure;
using Marten;
using Wolverine.Http;

namespace ComplianceEvents.Cycles.GettingCycle;

public sealed record CycleView(string CycleId, string SummitName, string HostCity, string HostCountry,
    DateOnly SummitStart, DateOnly SummitEnd, IReadOnlyList<Member> Members, long Version)
{
    public static CycleView From(Cycle c) =>
        new(c.CycleId, c.SummitName, c.HostCity, c.HostCountry, c.SummitStart, c.SummitEnd, c.Members, c.Version);
}

public static class GetCycleEndpoint
{
    [WolverineGet("/cycles/{cycleId}", OperationId = "GetCycle"), Tags("Cycles")]
    public static async Task<IResult> Get(string cycleId, IQuerySession session, HttpContext http, CancellationToken ct)
    {
        var cycle = await session.LoadAsync<Cycle>(Cycle.StreamKey(cycleId), ct);
        return cycle is null
            ? Problems.NotFound(http, "cycle", $"Cycle '{cycleId}' does not exist.")
            : Results.Ok(CycleView.From(cycle));
    }
}
