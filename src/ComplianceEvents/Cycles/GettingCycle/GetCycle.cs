using ComplianceEvents.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ComplianceEvents.Cycles.GettingCycle;

/// <summary>What docs/api.md promises for GET /cycles/{cycleId}: the cycle, its members, windows and published editions.</summary>
public sealed record CycleView(string CycleId, string SummitName, string HostCity, string HostCountry,
    DateOnly SummitStart, DateOnly SummitEnd, string? PreparedBy, IReadOnlyList<Member> Members, IReadOnlyList<ReportWindow> Windows,
    IReadOnlyList<EditionView> Editions, long Version)
{
    public static CycleView From(Cycle c) =>
        new(c.CycleId, c.SummitName, c.HostCity, c.HostCountry, c.SummitStart, c.SummitEnd, c.PreparedBy, c.Members, c.Windows,
            c.Editions.Select(e => new EditionView(e.Kind, e.Edition, e.WindowStart, e.Cutoff, e.PinnedSequence, e.ContentHash,
                e.PublishedBy, e.PublishedAt, e.Reason)).ToList(), c.Version);
}

public sealed record EditionView(ReportKind Kind, int Edition, DateOnly WindowStart, DateOnly Cutoff, long PinnedSequence,
    string ContentHash, string PublishedBy, DateTimeOffset PublishedAt, string? Reason);

public static class GetCycleEndpoint
{
    [WolverineGet("/cycles/{cycleId}", OperationId = "GetCycle"), Tags("Cycles"), ProducesResponseType<CycleView>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(string cycleId, IQuerySession session, HttpContext http, CancellationToken ct)
    {
        var cycle = await session.LoadAsync<Cycle>(Cycle.StreamKey(cycleId), ct);
        return cycle is null
            ? Problems.NotFound(http, "cycle", $"Cycle '{cycleId}' does not exist.")
            : WithETag(http, cycle.Version, Results.Ok(CycleView.From(cycle)));
    }

    private static IResult WithETag(HttpContext http, long version, IResult result)
    {
        http.Response.Headers.ETag = $"\"{version}\"";
        return result;
    }
}
