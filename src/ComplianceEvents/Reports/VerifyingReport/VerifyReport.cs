using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Chain;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace ComplianceEvents.Reports.VerifyingReport;

/// <summary>
/// An edition's stored SHA-256 (<paramref name="Published"/>) against that of its regeneration, and the log it rests on checked
/// against its signed hash chain up to the edition's own record (<paramref name="RecordedAtSequence"/>, above its pin):
/// <paramref name="Verified"/> only when both hold.
/// </summary>
public sealed record VerificationView(string CycleId, string Kind, int Edition, long PinnedSequence, long RecordedAtSequence,
    string Published, string Regenerated, bool Identical, bool ChainIntact, long ChainCheckedThrough, string? ChainBreak,
    bool Verified);

/// <summary>What `verify` (CLI and HTTP) finds: the content regenerated, and the whole log verified against its chain.</summary>
public sealed record EditionCheck(Reporting.Verification Content, ChainReport Chain)
{
    /// <summary>The first break at or below the edition's record: in what it was computed from, or in the record itself.</summary>
    public ChainBreak? Break => Chain.Breaks.FirstOrDefault(b => b.Sequence <= Content.RecordedAt);

    public bool ChainIntact => Break is null && Chain.ChainedThrough >= Content.RecordedAt;

    public bool Verified => Content.Identical && ChainIntact;

    public string? ChainProblem => Break is { } b ? $"the event log is not what was written: {b}"
        : ChainIntact ? null : $"the chain reaches sequence {Chain.ChainedThrough}, not yet the edition's record at {Content.RecordedAt}";

    public static async Task<EditionCheck?> Run(IQuerySession session, Chainer chainer, ChainVerifier verifier, string cycleId,
        ReportKind kind, int edition, CancellationToken ct)
    {
        if (await Reporting.Verify(session, cycleId, kind, edition, ct) is not { } content) return null;
        return new EditionCheck(content, await verifier.ExtendAndVerifyShared(chainer, ct));
    }

    public VerificationView View() => new(Content.CycleId, Content.Kind.ToString().ToLowerInvariant(), Content.Edition,
        Content.PinnedSequence, Content.RecordedAt, Content.Expected, Content.Actual, Content.Identical, ChainIntact,
        Chain.ChainedThrough, ChainProblem, Verified);
}

public static class VerifyReportEndpoint
{
    /// <summary>Regenerates the edition from its pinned sequence, compares SHA-256 digests, and verifies the log against its chain
    /// up to the edition's record.</summary>
    [WolverineGet("/cycles/{cycleId}/reports/{kind}/editions/{edition}/verification", OperationId = "VerifyReport"), Tags("Reports"),
        ProducesResponseType<VerificationView>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(string cycleId, ReportKind kind, int edition, IQuerySession session, Chainer chainer,
        ChainVerifier verifier, HttpContext http, CancellationToken ct) =>
        await EditionCheck.Run(session, chainer, verifier, cycleId, kind, edition, ct) is { } check
            ? Results.Ok(check.View())
            : Problems.NotFound(http, "edition", $"Cycle '{cycleId}' has no {kind.ToString().ToLowerInvariant()} edition {edition}.");
}
