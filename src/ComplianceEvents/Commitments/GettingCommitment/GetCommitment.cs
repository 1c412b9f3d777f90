using ComplianceEvents.Infrastructure;
using Marten;
using Wolverine.Http;

namespace ComplianceEvents.Commitments.GettingCommitment;

public static class GetCommitmentEndpoint
{
    [WolverineGet("/cycles/{cycleId}/commitments/{commitmentId}", OperationId = "GetCommitment"), Tags("Commitments"),
        Microsoft.AspNetCore.Mvc.ProducesResponseType<Commitment>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(string cycleId, string commitmentId, IQuerySession session, HttpContext http,
        CancellationToken ct)
    {
        var commitment = await session.LoadAsync<Commitment>(Commitment.StreamKey(cycleId, commitmentId), ct);
        if (commitment is null) return Problems.NotFound(http, "commitment", $"Commitment '{commitmentId}' does not exist in cycle " +
            $"'{cycleId}'.");
        http.Response.Headers.ETag = $"\"{commitment.Version}\"";
        return Results.Ok(commitment);
    }
}
