using System.Text.Json;
using ComplianceEvents.Assessments;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Commitments.PublishingRubric;
using ComplianceEvents.Commitments.RevisingRubric;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.Cycles.OpeningCycle;
using ComplianceEvents.Cycles.SettingReportWindow;
using ComplianceEvents.Imports;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Benchmarks.Data;

/// <summary>
/// Cycle datasets in the import format (docs/import-format.md, read by the product's DatasetImporter) for
/// B1d, and the same content as the commands the importer sends, for B1e's bulk path.
/// </summary>
public static class Datasets
{
    private static readonly JsonElement All = JsonDocument.Parse("\"all\"").RootElement.Clone();

    public static CycleDataset Build(string cycleId, int evidencePerCell, int seed, int commitmentCount = Synthetic.CommitmentsPerCycle)
    {
        var s = new Synthetic(seed);
        var open = s.OpenCycle(cycleId);
        var commitments = Enumerable.Range(1, commitmentCount).Select(n =>
        {
            var select = s.SelectCommitment(cycleId, n);
            var assessments = Synthetic.G7.Select(m => new DatasetAssessment(m.Code, [Synthetic.AnalystActor(m.Code).UserId],
                Enumerable.Range(1, evidencePerCell).Select(i =>
                {
                    var e = s.Evidence(cycleId, select.CommitmentId, m.Code, maxCharacters: Synthetic.ItemBudget(evidencePerCell));
                    return new DatasetEvidence($"e{i}", e.ActionDate, e.Summary, e.Dimensions, e.Strength,
                        e.Citations.Select(c => new DatasetCitation(c.Title, c.Publisher, c.Place, c.Published, c.Accessed, c.Url, c.Translation)).ToList());
                }).ToList(),
                [Proposal(s.Proposal(cycleId, select.CommitmentId, m.Code, []), Synthetic.AnalystActor(m.Code).UserId, select.LeadAnalyst)])).ToList();
            DatasetRubric Rubric(int v) => new(v, select.LeadAnalyst, Synthetic.Rubric(v).Minus1, Synthetic.Rubric(v).Zero, Synthetic.Rubric(v).Plus1,
                Synthetic.Rubric(v).DimensionRules, v == 1 ? null : Synthetic.ReviseRubric(cycleId, n, v).Reason);
            return new DatasetCommitment(select.CommitmentId, n, select.IssueArea, select.Title, select.Text, select.Source, select.LeadAnalyst,
                select.ComplianceDirector, select.Background, select.Features, select.Dimensions, [], select.InterpretiveGuidelines, [],
                [Rubric(1), Rubric(2)], assessments);
        }).ToList();
        return new CycleDataset(CycleDataset.FormatName,
            new DatasetCycle(cycleId, open.SummitName, open.HostCity, open.HostCountry, open.SummitStart, open.SummitEnd, open.Members, open.PreparedBy, Synthetic.Director),
            Synthetic.Windows(cycleId).Select(w => new DatasetWindow(w.Kind, w.Start, w.Cutoff)).ToList(), commitments);
    }

    private static DatasetProposal Proposal(ProposeScore p, string by, string reviewer) =>
        new(p.Score, p.Rationale, All, 1, by, new DatasetReview("approve", reviewer, "Consistent with the rubric."));

    public static string ToJson(CycleDataset d) => JsonSerializer.Serialize(d, CycleDataset.Json);

    /// <summary>The commands DatasetImporter sends for a dataset, in its order, with its actors (for B1e's simulated load).</summary>
    public static IEnumerable<(object Command, Actor Actor)> Commands(CycleDataset d)
    {
        var c = d.Cycle;
        var director = new Actor(c.Director!, [Roles.ComplianceDirector]);
        var revisions = new List<(object Command, Actor Actor)>();
        yield return (new OpenCycle(c.Id, c.SummitName, c.HostCity, c.HostCountry, c.SummitStart, c.SummitEnd, c.Members, c.PreparedBy), director);
        foreach (var w in d.Windows ?? []) yield return (new SetReportWindow(c.Id, w.Kind, w.Start, w.Cutoff), director);
        foreach (var x in d.Commitments ?? [])
        {
            yield return (new SelectCommitment(c.Id, x.Id, x.Number, x.IssueArea, x.Title, x.Text, x.Source, x.LeadAnalyst, x.ComplianceDirector,
                x.Dimensions, [], x.InterpretiveGuidelines, x.Background, x.Features), director);
            var lead = new Actor(x.LeadAnalyst, [Roles.LeadAnalyst]);
            var rubrics = x.Rubric ?? [];
            yield return (new PublishRubric(c.Id, x.Id, rubrics.First(r => r.Version == 1).ToInput()), lead);
            foreach (var a in x.Assessments ?? [])
            {
                var analyst = new Actor(a.Analysts![0], [Roles.Analyst]);
                foreach (var e in a.Evidence ?? [])
                    yield return (new RecordEvidence(c.Id, x.Id, a.Member, e.ActionDate, e.Summary, (e.Citations ?? []).Select(ci => ci.ToCitation()).ToList(),
                        e.Dimensions, e.Strength, e.Key), analyst);
                var n = 0;
                foreach (var p in a.Proposals ?? [])
                {
                    n++;
                    yield return (new ProposeScore(c.Id, x.Id, a.Member, p.Score, p.Rationale, (a.Evidence ?? []).Select(e => e.Key).ToList(), p.RubricVersion,
                        CoAnalysts: a.Analysts), new Actor(p.By, [Roles.Analyst]));
                    yield return (new ApproveScore(c.Id, x.Id, a.Member, $"p{n}", p.Review!.Comment), new Actor(p.Review.By, [Roles.LeadAnalyst]));
                }
            }
            revisions.AddRange(rubrics.Where(r => r.Version > 1).OrderBy(r => r.Version).Select(r => ((object)new ReviseRubric(c.Id, x.Id, r.ToInput(), r.Reason!), lead)));
        }
        // The importer revises rubrics last, after all the scoring they postdate.
        foreach (var revision in revisions) yield return revision;
    }

    public static int EvidenceCount(CycleDataset d) =>
        (d.Commitments ?? []).Sum(c => (c.Assessments ?? []).Sum(a => (a.Evidence ?? []).Count));

    public static IReadOnlyList<string> Streams(string cycleId) => [$"cycle:{cycleId}", $"commitment:{cycleId}:%", $"assessment:{cycleId}:%"];
}
