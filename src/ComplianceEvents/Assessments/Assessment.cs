using System.Collections.Immutable;
using System.Text.Json.Serialization;
using ComplianceEvents.Commitments;
using JasperFx.Core;

namespace ComplianceEvents.Assessments;

/// <summary>
/// What decisions on a cell need of one evidence item. Its text (summary and citations) is in its own
/// <see cref="EvidenceText"/> document; <paramref name="Characters"/> is what the text counts against the cell's budget.
/// </summary>
public sealed record EvidenceFacts(string EvidenceId, DateOnly ActionDate, IReadOnlyList<string> Dimensions, Strength? Strength,
    long Characters, IReadOnlyList<string> Flags, int Revision = 1, bool Withdrawn = false, string? WithdrawalReason = null);

public enum ProposalStatus { Pending, Returned, Approved, Rejected }

public sealed record Proposal(string ProposalId, int Score, string Rationale, IReadOnlyList<string> EvidenceIds, int RubricVersion,
    string ProposedBy, DateTimeOffset ProposedAt, int? SuggestedScore, IReadOnlyList<string> Flags,
    ProposalStatus Status = ProposalStatus.Pending, string? ReviewedBy = null, string? ReviewNote = null, IReadOnlyList<string>? Analysts = null);

/// <summary>The score that counts in reports; <see cref="EvidenceChangedSince"/> lists its evidence amended or withdrawn after approval.</summary>
public sealed record ApprovedScore(string ProposalId, int Score, int RubricVersion, IReadOnlyList<string> EvidenceIds,
    string ProposedBy, string ApprovedBy, DateTimeOffset ApprovedAt, IReadOnlyList<string> EvidenceChangedSince);

/// <summary>
/// Write model and inline snapshot of one (cycle, commitment, member) cell: what its decisions need, not the evidence text
/// (DESIGN 2.2 "Read models"; a command reads and rewrites a few kilobytes, not the cell's text).
/// </summary>
public sealed record Assessment(string Id, string CycleId, string CommitmentId, string MemberCode)
{
    /// <summary>Evidence items one cell may hold, withdrawn ones included (docs/api.md "Limits"; the largest seed cell has 43).</summary>
    public const int MaxEvidence = 200;

    /// <summary>
    /// Characters of text the current evidence of one cell may hold (counted by <see cref="EvidenceContent.Fields"/>;
    /// docs/api.md "Limits"): about three times the largest seed cell (2024, EU).
    /// </summary>
    public const int MaxEvidenceCharacters = 128_000;

    public static string StreamKey(string cycleId, string commitmentId, string memberCode) =>
        $"assessment:{cycleId}:{commitmentId}:{memberCode}";

    public IReadOnlyList<EvidenceFacts> Evidence { get; init; } = [];
    public IReadOnlyList<Proposal> Proposals { get; init; } = [];
    public ApprovedScore? Approved { get; init; }

    /// <summary>The proposal behind the approved score (its rationale and analysts are what a report prints).</summary>
    /// <remarks>The computed properties are not stored: they doubled the snapshot (CurrentEvidence repeated the list).</remarks>
    [JsonIgnore]
    public Proposal? ApprovedProposal => Approved is null ? null : Proposals.FirstOrDefault(p => p.ProposalId == Approved.ProposalId);
    public long Version { get; set; }

    [JsonIgnore]
    public Proposal? Pending => Proposals.LastOrDefault(p => p.Status == ProposalStatus.Pending);
    public EvidenceFacts? FindEvidence(string id) => Evidence.FirstOrDefault(e => e.EvidenceId == id);
    [JsonIgnore]
    public IEnumerable<EvidenceFacts> CurrentEvidence => Evidence.Where(e => !e.Withdrawn);

    /// <summary>DESIGN 1.2 rule 9: the score the rubric's dimension rules suggest from the current evidence.</summary>
    public int? SuggestedScore(Commitment commitment, Rubric? rubric) =>
        rubric is { HasDimensionRules: true }
            ? rubric.Suggest(DimensionCounts.From(commitment.Dimensions.Select(d => d.Code), CurrentEvidence.Select(e => (e.Dimensions, e.Strength))))
            : null;

    /// <summary>DESIGN 1.2 rule 8: why the approved score may be outdated (empty when it is not).</summary>
    public IReadOnlyList<string> StaleReasons(Commitment commitment)
    {
        if (Approved is null) return [];
        var reasons = new List<string>();
        if (commitment.CurrentRubric is { } current && current.Version > Approved.RubricVersion)
            reasons.Add($"rubric-revised: approved under version {Approved.RubricVersion}, current version {current.Version}");
        reasons.AddRange(Approved.EvidenceChangedSince.Select(id =>
            FindEvidence(id)?.Withdrawn == true ? $"evidence-withdrawn: {id}" : $"evidence-amended: {id}"));
        return reasons;
    }

    /// <summary>
    /// The one event-to-state dispatch of a cell, for every fold: its inline snapshot (<see cref="AssessmentsModule"/> and
    /// Marten's live aggregation), the as-of fold and an import's state in memory. Other events leave the state as it is.
    /// The handlers below are hidden from Marten's conventions ([JasperFxIgnore]): it folds through this method only.
    /// </summary>
    public static Assessment? Fold(Assessment? a, object e) => (a, e) switch
    {
        (_, AssessmentOpened x) => Create(x),
        (null, _) => null,
        (_, EvidenceRecorded x) => a.Apply(x),
        (_, EvidenceAmended x) => a.Apply(x),
        (_, EvidenceWithdrawn x) => a.Apply(x),
        (_, ScoreProposed x) => a.Apply(x),
        (_, ProposalReturned x) => a.Apply(x),
        (_, ScoreRejected x) => a.Apply(x),
        (_, ScoreApproved x) => a.Apply(x),
        _ => a,
    };

    [JasperFxIgnore]
    public static Assessment Create(AssessmentOpened e) =>
        new(StreamKey(e.CycleId, e.CommitmentId, e.MemberCode), e.CycleId, e.CommitmentId, e.MemberCode);

    [JasperFxIgnore]
    public Assessment Apply(EvidenceRecorded e) =>
        this with
        {
            Evidence = Append(Evidence, new EvidenceFacts(e.EvidenceId, e.ActionDate, e.Dimensions, e.Strength,
                EvidenceContent.Characters(e.Summary, e.Citations), e.Flags)),
        };

    [JasperFxIgnore]
    public Assessment Apply(EvidenceAmended e) =>
        ChangeEvidence(e.EvidenceId, x => x with
        {
            ActionDate = e.ActionDate, Dimensions = e.Dimensions, Strength = e.Strength,
            Characters = EvidenceContent.Characters(e.Summary, e.Citations), Flags = e.Flags, Revision = x.Revision + 1,
        });

    [JasperFxIgnore]
    public Assessment Apply(EvidenceWithdrawn e) =>
        ChangeEvidence(e.EvidenceId, x => x with { Withdrawn = true, WithdrawalReason = e.Reason });

    [JasperFxIgnore]
    public Assessment Apply(ScoreProposed e) =>
        this with
        {
            Proposals = Append(Proposals, new Proposal(e.ProposalId, e.Score, e.Rationale, e.EvidenceIds, e.RubricVersion,
                e.ProposedBy, e.ProposedAt, e.SuggestedScore, e.Flags, Analysts: e.Analysts ?? [e.ProposedBy])),
        };

    [JasperFxIgnore]
    public Assessment Apply(ProposalReturned e) => Review(e.ProposalId, ProposalStatus.Returned, e.ReturnedBy, e.Reason);

    [JasperFxIgnore]
    public Assessment Apply(ScoreRejected e) => Review(e.ProposalId, ProposalStatus.Rejected, e.RejectedBy, e.Reason);

    [JasperFxIgnore]
    public Assessment Apply(ScoreApproved e) =>
        Review(e.ProposalId, ProposalStatus.Approved, e.ApprovedBy, e.Comment) with
        {
            Approved = new ApprovedScore(e.ProposalId, e.Score, e.RubricVersion, e.EvidenceIds, e.ProposedBy, e.ApprovedBy, e.ApprovedAt, []),
        };

    /// <summary>
    /// An immutable list shares the items already there: folding n evidence events costs O(n log n) instead of
    /// copying the whole list per event, O(n^2) (docs/benchmarks.md, B3 and B5). Stored as a plain JSON array.
    /// </summary>
    private static ImmutableList<T> Append<T>(IReadOnlyList<T> list, T item) =>
        (list as ImmutableList<T> ?? ImmutableList.CreateRange(list)).Add(item);

    private Assessment ChangeEvidence(string id, Func<EvidenceFacts, EvidenceFacts> change)
    {
        var approved = Approved is { } a && a.EvidenceIds.Contains(id) && !a.EvidenceChangedSince.Contains(id)
            ? a with { EvidenceChangedSince = [.. a.EvidenceChangedSince, id] }
            : Approved;
        var list = Evidence as ImmutableList<EvidenceFacts> ?? ImmutableList.CreateRange(Evidence);
        var index = list.FindIndex(x => x.EvidenceId == id);
        return this with { Evidence = index < 0 ? list : list.SetItem(index, change(list[index])), Approved = approved };
    }

    private Assessment Review(string proposalId, ProposalStatus status, string by, string? note) =>
        this with { Proposals = [.. Proposals.Select(p => p.ProposalId == proposalId ? p with { Status = status, ReviewedBy = by, ReviewNote = note } : p)] };
}

/// <summary>The parts of an assessment stream key, <c>assessment:{cycle}:{commitment}:{member}</c> (its events do not carry
/// their cell).</summary>
public sealed record CellKey(string CycleId, string CommitmentId, string MemberCode)
{
    public static CellKey Parse(string streamKey) =>
        streamKey.Split(':') is ["assessment", var cycle, var commitment, var member]
            ? new CellKey(cycle, commitment, member)
            : throw new FormatException($"'{streamKey}' is not an assessment stream key.");

    public override string ToString() => Assessment.StreamKey(CycleId, CommitmentId, MemberCode);
}
