using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ComplianceEvents.Reports.Auditing;

public static class AuditEndpoints
{
    private const string Cell = "/cycles/{cycleId}/commitments/{commitmentId}/assessments/{memberCode}";

    [WolverineGet(Cell + "/audit", OperationId = "GetAuditTrail"), Tags("Audit"),
        ProducesResponseType<IReadOnlyList<AuditEntry>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Audit(string cycleId, string commitmentId, string memberCode, IQuerySession session,
        HttpContext http, CancellationToken ct)
    {
        var entries = await AuditTrail.Of(session, new CellStreams(cycleId, commitmentId, memberCode), ct);
        return entries.Count > 0
            ? Results.Ok(entries)
            : Problems.NotFound(http, "assessment", $"No assessment {cycleId}/{commitmentId}/{memberCode} has been recorded.");
    }

    [WolverineGet(Cell + "/explanation", OperationId = "ExplainChange"), Tags("Audit"),
        ProducesResponseType<Explanation>(StatusCodes.Status200OK)]
    public static async Task<IResult> Explain(string cycleId, string commitmentId, string memberCode, string? from, string? to,
        string? kind,
        IQuerySession session, LogHorizon horizon, HttpContext http, CancellationToken ct)
    {
        ReportKind? k = null;
        if (kind is not null)
        {
            if (!Enum.TryParse<ReportKind>(kind, true, out var parsed)) return Bad(http, "kind", "kind must be interim or final");
            k = parsed;
        }
        if ((await Explaining.CheckSettled(horizon, from, "from", ct) ?? await Explaining.CheckSettled(horizon, to, "to",
            ct)) is { } unsettled)
            return Problems.Refuse(http, unsettled);
        if (await session.LoadAsync<Cycle>(Cycle.StreamKey(cycleId), ct) is not { } cycle) return Problems.NotFound(http, "cycle",
            $"Cycle '{cycleId}' does not exist.");
        var clock = Explaining.FromLog(session, cycleId, ct);
        var a = from is null ? null : await Explaining.Resolve(cycle, clock, from, k);
        var b = to is null ? null : await Explaining.Resolve(cycle, clock, to, k);
        if (a is null) return Bad(http, "from", "from must be interim, final, edition:N, interim:N, final:N, a sequence or a time of " +
            "this cycle");
        if (b is null) return Bad(http, "to", "to must be interim, final, edition:N, interim:N, final:N, a sequence or a time of this " +
            "cycle");
        var cell = new CellStreams(cycleId, commitmentId, memberCode);
        return Results.Ok(Explaining.Explain(await cell.Read(session, withCycle: true, ct), cell, a, b));
    }

    [WolverineGet("/cycles/{cycleId}/stale-approvals", OperationId = "GetStaleApprovals"), Tags("Audit"),
        ProducesResponseType<IReadOnlyList<StaleApproval>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Stale(string cycleId, IQuerySession session, HttpContext http, CancellationToken ct) =>
        await session.LoadAsync<Cycle>(Cycle.StreamKey(cycleId), ct) is null
            ? Problems.NotFound(http, "cycle", $"Cycle '{cycleId}' does not exist.")
            : Results.Ok(await StaleApprovals.Of(session, cycleId, ct));

    [WolverineGet("/cycles/{cycleId}/comparison", OperationId = "CompareInterimFinal"), Tags("Audit"),
        ProducesResponseType<IReadOnlyList<Explanation>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Compare(string cycleId, IQuerySession session, HttpContext http, CancellationToken ct)
    {
        if (await session.LoadAsync<Cycle>(Cycle.StreamKey(cycleId), ct) is not { } cycle) return Problems.NotFound(http, "cycle",
            $"Cycle '{cycleId}' does not exist.");
        var (changes, problem) = await Explaining.CompareInterimFinal(cycle, await Explaining.CycleEvents(session, cycleId, ct));
        return problem is null ? Results.Ok(changes)
            : Problems.Problem(http, StatusCodes.Status422UnprocessableEntity, "windows-required", problem, []);
    }

    private static IResult Bad(HttpContext http, string field, string message) =>
        Problems.Problem(http, StatusCodes.Status400BadRequest, "validation", message, [new FieldError(field, "point", message)]);
}
