using ComplianceEvents.Cycles;
using ComplianceEvents.Reports.AsOf;

namespace ComplianceEvents.Reports;

public static class ReportBuilder
{
    /// <summary>
    /// Builds the report of a cycle state. With a kind, evidence outside that window (as the state knew it)
    /// is left out of the member sections (DESIGN 1.2 rule 1) and a score counts only when its evidence is eligible
    /// (rule 11, <see cref="WindowedScores"/>); without one, every approved score and every
    /// current evidence item is shown. Withdrawn evidence is never shown.
    /// </summary>
    public static ReportModel Build(CycleState state, ReportKind? kind, int? edition = null, string? editionReason = null)
    {
        var cycle = state.Cycle ?? throw new InvalidOperationException("The cycle did not exist at that point.");
        var window = kind is { } k ? cycle.Window(k) : null;
        var commitments = state.Commitments.Values.OrderBy(c => c.Number).Select(c =>
        {
            var cells = cycle.Members.Select(m =>
            {
                var a = state.Assessments.GetValueOrDefault((c.CommitmentId, m.Code));
                var current = a is null ? [] : state.CurrentEvidence(a);
                var eligible = current.Where(e => window is null || window.Contains(e.ActionDate)).OrderBy(e => e.ActionDate).ToList();
                var shown = WindowedScores.For(a, window);
                return new MemberSection(m, shown.Score, !c.IsApplicable(m.Code), c.NotApplicable.GetValueOrDefault(m.Code),
                    shown.Approval?.Rationale, shown.Approval?.Analysts ?? [], shown.Approval?.RubricVersion, eligible,
                        current.Count - eligible.Count, shown.Note);
            }).ToList();
            return new CommitmentSection(c.Number, c.CommitmentId, c.IssueArea, c.Title, c.Text, c.Source, c.Background, c.Features,
                c.Dimensions, c.Definitions, c.InterpretiveGuidelines, c.CurrentRubric, c.LeadAnalyst, c.ComplianceDirector, cells);
        }).ToList();
        return new ReportModel(cycle.CycleId, cycle.SummitName, cycle.HostCity, cycle.HostCountry, cycle.SummitStart, cycle.SummitEnd,
            cycle.PreparedBy, kind, window, edition, editionReason, cycle.Members, commitments);
    }
}
