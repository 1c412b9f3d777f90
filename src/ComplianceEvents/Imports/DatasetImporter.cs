using System.Text.Json;
using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Assessments.ProposingScore;
using ComplianceEvents.Assessments.RecordingEvidence;
using ComplianceEvents.Assessments.RejectingScore;
using ComplianceEvents.Assessments.ReturningProposal;
using ComplianceEvents.Commitments.ChangingApplicability;
using ComplianceEvents.Commitments.PublishingRubric;
using ComplianceEvents.Commitments.RevisingRubric;
using ComplianceEvents.Commitments.SelectingCommitment;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles.OpeningCycle;
using ComplianceEvents.Cycles.SettingReportWindow;
using ComplianceEvents.Infrastructure;
using Wolverine;

namespace ComplianceEvents.Imports;

/// <summary>
/// Turns a cycle dataset into the commands the handlers take, sent through the bus as the people the
/// file names (no back door into the event store). Command ids derive from the file's structure, so a
/// second import of the same file is answered from receipts and appends nothing.
/// </summary>
public sealed class DatasetImporter(IMessageBus bus)
{
    public async Task<ImportReport> Import(string json, CancellationToken ct = default)
    {
        var report = new ImportReport();
        CycleDataset? dataset;
        try { dataset = JsonSerializer.Deserialize<CycleDataset>(json, CycleDataset.Json); }
        catch (JsonException e)
        {
            report.Error($"line {(e.LineNumber ?? 0) + 1}, {e.Path}: {e.Message.Split(" Path:")[0]}");
            return report;
        }
        foreach (var problem in DatasetChecks.Problems(dataset)) report.Error(problem);
        if (!report.Succeeded) return report;

        await new Run(bus, dataset!, report, ct).All();
        return report;
    }

    private sealed class Run(IMessageBus bus, CycleDataset d, ImportReport report, CancellationToken ct)
    {
        private string CycleId => d.Cycle.Id;
        private string Director => d.Cycle.Director ?? "import";

        private async Task<CommandResult> Send(string step, object command, string user, params string[] roles)
        {
            var actor = new Actor(user, user == Director ? [.. roles, Roles.ComplianceDirector] : roles);
            var result = await bus.InvokeAsync<CommandResult>(command, actor.ToDeliveryOptions($"import:{CycleId}:{step}"), ct);
            report.Add(step, result);
            return result;
        }

        public async Task All()
        {
            var c = d.Cycle;
            await Send("cycle", new OpenCycle(c.Id, c.SummitName, c.HostCity, c.HostCountry, c.SummitStart, c.SummitEnd, c.Members, c.PreparedBy), Director);
            foreach (var w in d.Windows ?? [])
                await Send($"window:{w.Kind}", new SetReportWindow(c.Id, w.Kind, w.Start, w.Cutoff), Director);
            foreach (var commitment in d.Commitments ?? []) await Commitment(commitment);
        }

        private async Task Commitment(DatasetCommitment x)
        {
            var key = $"commitment:{x.Id}";
            await Send(key, new SelectCommitment(CycleId, x.Id, x.Number, x.IssueArea, x.Title, x.Text, x.Source, x.LeadAnalyst, x.ComplianceDirector,
                x.Dimensions, x.Definitions?.Select(def => new Definition(def.Term, def.Meaning, def.Citation?.ToCitation())).ToList(),
                x.InterpretiveGuidelines, x.Background, x.Features), Director);
            foreach (var na in x.NotApplicable ?? [])
                await Send($"{key}:not-applicable:{na.Member}", new MarkMemberNotApplicable(CycleId, x.Id, na.Member, na.Reason), x.LeadAnalyst, Roles.LeadAnalyst);

            var rubrics = x.Rubric ?? [];
            var revisions = rubrics.Where(r => r.Version > 1).OrderBy(r => r.Version).ToList();
            if (rubrics.FirstOrDefault(r => r.Version == 1) is { } first)
                await Send($"{key}:rubric:1", new PublishRubric(CycleId, x.Id, first.ToInput()), first.By, Roles.LeadAnalyst);

            foreach (var a in x.Assessments ?? []) await Assessment(x, a);
            // Revisions come after the scoring they postdate, so approvals under version 1 say so (DESIGN 1.2 rule 8).
            foreach (var r in revisions)
                await Send($"{key}:rubric:{r.Version}", new ReviseRubric(CycleId, x.Id, r.ToInput(), r.Reason!), r.By, Roles.LeadAnalyst);
        }

        private async Task Assessment(DatasetCommitment x, DatasetAssessment a)
        {
            var key = $"commitment:{x.Id}:{a.Member}";
            var recorder = a.Analysts?.FirstOrDefault() ?? x.LeadAnalyst;
            foreach (var e in a.Evidence ?? [])
                await Send($"{key}:evidence:{e.Key}", new RecordEvidence(CycleId, x.Id, a.Member, e.ActionDate, e.Summary,
                    (e.Citations ?? []).Select(ci => ci.ToCitation()).ToList(), e.Dimensions, e.Strength, e.Key), recorder, Roles.Analyst);

            var n = 0;
            foreach (var p in a.Proposals ?? [])
            {
                n++;
                var evidenceIds = p.Evidence.ValueKind == JsonValueKind.Array
                    ? p.Evidence.EnumerateArray().Select(k => k.GetString()!).ToList()
                    : (a.Evidence ?? []).Select(e => e.Key).ToList();
                var proposed = await Send($"{key}:proposal:{n}", new ProposeScore(CycleId, x.Id, a.Member, p.Score, p.Rationale, evidenceIds, p.RubricVersion,
                    CoAnalysts: a.Analysts), p.By, Roles.Analyst);
                if (!proposed.IsAccepted || p.Review is not { } r) continue;
                var id = proposed.ResourceId!;
                object review = r.Action switch
                {
                    "approve" => new ApproveScore(CycleId, x.Id, a.Member, id, r.Comment),
                    "return" => new ReturnProposal(CycleId, x.Id, a.Member, id, r.Comment ?? ""),
                    _ => new RejectScore(CycleId, x.Id, a.Member, id, r.Comment ?? ""),
                };
                await Send($"{key}:proposal:{n}:{r.Action}", review, r.By, Roles.LeadAnalyst);
            }
        }
    }
}
