using System.Text.Json;
using System.Text.Json.Serialization;
using ComplianceEvents.Assessments;

namespace ComplianceEvents.Reports.Rendering;

/// <summary>
/// The report as <c>format=json</c> answers it, named so the OpenAPI document can describe it. Kinds and strengths are the
/// lowercase words (<c>interim</c>, <c>strong</c>); averages are exact (sum and count) and as displayed.
/// </summary>
public sealed record ReportJson(string CycleId, string Title, string SummitName, string HostCity, string HostCountry,
    DateOnly SummitStart, DateOnly SummitEnd, string? PreparedBy, string? Kind, ReportJsonWindow? Window, int? Edition,
    string? EditionReason, IReadOnlyList<ReportJsonMember> Members, ReportJsonAverage? Overall, decimal? ComplianceGap,
    IReadOnlyList<ReportJsonCommitment> Commitments);

public sealed record ReportJsonWindow(string Kind, DateOnly Start, DateOnly Cutoff);

public sealed record ReportJsonMember(string Code, string Name, ReportJsonAverage? Average);

public sealed record ReportJsonAverage(int Sum, int Count, string Display, int? Percent)
{
    public static ReportJsonAverage? Of(Average a) => a.HasValue ? new(a.Sum, a.Count, a.Display, a.Percent) : null;
}

public sealed record ReportJsonCommitment(int Number, string CommitmentId, string IssueArea, string Title, string Text, string Source,
    string LeadAnalyst, string? ComplianceDirector, int? RubricVersion, ReportJsonAverage? Average, IReadOnlyList<ReportJsonCell> Cells);

public sealed record ReportJsonCell(string Member, int? Score, bool NotApplicable, string? NotApplicableReason, int? RubricVersion,
    IReadOnlyList<string> Analysts, string? Rationale, IReadOnlyList<ReportJsonEvidence> Evidence, int IneligibleEvidence,
    string? ScoreNote);

public sealed record ReportJsonEvidence(string EvidenceId, DateOnly ActionDate, string Summary, IReadOnlyList<string> Dimensions,
    string? Strength, IReadOnlyList<Citation> Citations);

/// <summary>The report model as JSON, with averages both exact (sum/count) and as displayed.</summary>
public static class JsonRenderer
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Render(ReportModel m) => JsonSerializer.Serialize(Of(m), Options) + "\n";

    public static ReportJson Of(ReportModel m) => new(m.CycleId, m.Title, m.SummitName, m.HostCity, m.HostCountry, m.SummitStart,
        m.SummitEnd, m.PreparedBy, Word(m.Kind), m.Window is { } w ? new(Word<Cycles.ReportKind>(w.Kind)!, w.Start, w.Cutoff) : null,
        m.Edition, m.EditionReason,
        m.Members.Select(x => new ReportJsonMember(x.Code, x.Name, ReportJsonAverage.Of(m.MemberAverage(x.Code)))).ToList(),
        ReportJsonAverage.Of(m.Overall),
        m.ComplianceGap is { } g ? Math.Round(g, 2, MidpointRounding.AwayFromZero) : null,
        m.Commitments.Select(c => new ReportJsonCommitment(c.Number, c.CommitmentId, c.IssueArea, c.Title, c.Text, c.Source,
            c.LeadAnalyst, c.ComplianceDirector, c.Rubric?.Version, ReportJsonAverage.Of(c.Average),
            c.Cells.Select(x => new ReportJsonCell(x.Member.Code, x.Score, x.NotApplicable, x.NotApplicableReason, x.RubricVersion,
                x.Analysts, x.Rationale,
                x.Evidence.Select(e => new ReportJsonEvidence(e.EvidenceId, e.ActionDate, e.Summary, e.Dimensions, Word(e.Strength),
                    e.Citations)).ToList(),
                x.IneligibleEvidence, x.ScoreNote)).ToList())).ToList());

    private static string? Word<T>(T? value) where T : struct, Enum =>
        value is { } v ? JsonNamingPolicy.CamelCase.ConvertName(v.ToString()) : null;
}
