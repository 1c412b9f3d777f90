using System.Text.Json;
using ComplianceEvents.Assessments;
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
using ComplianceEvents.Imports.ImportingAssessments;
using ComplianceEvents.Infrastructure;
using Wolverine;

namespace ComplianceEvents.Imports;

/// <summary>
/// Turns a cycle dataset into the commands the handlers take, sent through the bus as the people the
/// file names (no back door into the event store). Command ids derive from the file's structure, so a
/// second import of the same file is answered from receipts and appends nothing. The cycle, windows,
/// commitments and rubrics are single commands; the assessments' evidence, proposals and reviews go in
/// batches of at least <paramref name="stepsPerTransaction"/> steps, each batch one transaction
/// (<see cref="ImportAssessments"/>: the same validation and decisions, one commit). Rubric revisions come
/// last, after the scoring they postdate.
/// </summary>
public sealed class DatasetImporter(IMessageBus bus, int stepsPerTransaction = DatasetImporter.DefaultStepsPerTransaction,
    ImportProgress? progress = null)
{
    public const int DefaultStepsPerTransaction = 500;

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

        await new Run(bus, dataset!, report, Math.Max(1, stepsPerTransaction), ct, total => progress?.Report(report.Steps, total)).All();
        return report;
    }

    private sealed class Run(IMessageBus bus, CycleDataset d, ImportReport report, int stepsPerTransaction, CancellationToken ct,
        Action<int> progressed)
    {
        /// <summary>Every command the file becomes: the total of the progress line.</summary>
        private readonly int _total = 1 + (d.Windows?.Count ?? 0) + (d.Commitments ?? []).Sum(c => 1 + (c.NotApplicable?.Count ?? 0)
            + (c.Rubric?.Count ?? 0)
            + (c.Assessments ?? []).Sum(a => (a.Evidence?.Count ?? 0) + (a.Proposals ?? []).Sum(p => p.Review is null ? 1 : 2)));

        private readonly List<(string Step, ImportStep Command)> _pending = [];
        private readonly Dictionary<string, CommandResult> _results = [];
        private readonly List<(string Step, ReviseRubric Command, string By)> _revisions = [];

        private string CycleId => d.Cycle.Id;
        private string Director => d.Cycle.Director ?? "import";
        private string CommandId(string step) => $"import:{CycleId}:{step}";
        private Actor ActorFor(string user, string[] roles) => new(user, UserIds.Same(user, Director) ? [.. roles,
            Roles.ComplianceDirector] : roles);

        private async Task<CommandResult> Send(string step, object command, string user, params string[] roles)
        {
            var result = await bus.InvokeAsync<CommandResult>(command, ActorFor(user, roles).ToDeliveryOptions(CommandId(step),
                imported: true), ct);
            report.Add(step, result);
            progressed(_total);
            return result;
        }

        private void Queue(string step, string user, string role, Func<Func<string, CommandResult?>, IAssessmentCommand?> build) =>
            _pending.Add((step, new ImportStep(CommandId(step), ActorFor(user, [role]), build)));

        /// <summary>Sends the queued steps as one batch, one transaction.</summary>
        private async Task Flush()
        {
            if (_pending.Count == 0) return;
            var steps = _pending.ToList();
            _pending.Clear();
            var names = steps.ToDictionary(s => s.Command.CommandId, s => s.Step);
            var results = await bus.InvokeAsync<IReadOnlyList<ImportStepResult>>(
                new ImportAssessments(steps.Select(s => s.Command).ToList(), new Dictionary<string, CommandResult>(_results)),
                ActorFor(Director, [Roles.ComplianceDirector]).ToDeliveryOptions(), ct);
            foreach (var r in results)
            {
                _results[r.CommandId] = r.Result;
                report.Add(names[r.CommandId], r.Result);
            }
            progressed(_total);
        }

        public async Task All()
        {
            var c = d.Cycle;
            await Send("cycle", new OpenCycle(c.Id, c.SummitName, c.HostCity, c.HostCountry, c.SummitStart, c.SummitEnd, c.Members,
                c.PreparedBy), Director);
            foreach (var w in d.Windows ?? [])
                await Send($"window:{w.Kind}", new SetReportWindow(c.Id, w.Kind, w.Start, w.Cutoff), Director);
            foreach (var commitment in d.Commitments ?? []) await Commitment(commitment);
            await Flush();
            // Revisions come after the scoring they postdate, so approvals under version 1 say so (DESIGN 1.2 rule 8).
            foreach (var (step, revise, by) in _revisions) await Send(step, revise, by, Roles.LeadAnalyst);
        }

        private async Task Commitment(DatasetCommitment x)
        {
            var key = $"commitment:{x.Id}";
            await Send(key, new SelectCommitment(CycleId, x.Id, x.Number, x.IssueArea, x.Title, x.Text, x.Source, x.LeadAnalyst,
                x.ComplianceDirector,
                x.Dimensions, x.Definitions?.Select(def => new Definition(def.Term, def.Meaning, def.Citation?.ToCitation())).ToList(),
                x.InterpretiveGuidelines, x.Background, x.Features), Director);
            foreach (var na in x.NotApplicable ?? [])
                await Send($"{key}:not-applicable:{na.Member}", new MarkMemberNotApplicable(CycleId, x.Id, na.Member, na.Reason),
                    x.LeadAnalyst, Roles.LeadAnalyst);

            var rubrics = x.Rubric ?? [];
            if (rubrics.FirstOrDefault(r => r.Version == 1) is { } first)
                await Send($"{key}:rubric:1", new PublishRubric(CycleId, x.Id, first.ToInput()), first.By, Roles.LeadAnalyst);
            foreach (var r in rubrics.Where(r => r.Version > 1).OrderBy(r => r.Version))
                _revisions.Add(($"{key}:rubric:{r.Version}", new ReviseRubric(CycleId, x.Id, r.ToInput(), r.Reason!), r.By));

            foreach (var a in x.Assessments ?? [])
            {
                Assessment(x, a);
                // A cell's steps stay in one batch: its reviews need the ids its proposals get.
                if (_pending.Count >= stepsPerTransaction) await Flush();
            }
        }

        private void Assessment(DatasetCommitment x, DatasetAssessment a)
        {
            var key = $"commitment:{x.Id}:{a.Member}";
            var recorder = a.Analysts?.FirstOrDefault() ?? x.LeadAnalyst;
            foreach (var e in a.Evidence ?? [])
            {
                var record = new RecordEvidence(CycleId, x.Id, a.Member, e.ActionDate, e.Summary,
                    (e.Citations ?? []).Select(ci => ci.ToCitation()).ToList(), e.Dimensions, e.Strength, e.Key);
                Queue($"{key}:evidence:{e.Key}", recorder, Roles.Analyst, _ => record);
            }

            var n = 0;
            foreach (var p in a.Proposals ?? [])
            {
                n++;
                var evidenceIds = p.Evidence.ValueKind == JsonValueKind.Array
                    ? p.Evidence.EnumerateArray().Select(k => k.GetString()!).ToList()
                    : (a.Evidence ?? []).Select(e => e.Key).ToList();
                var proposalStep = $"{key}:proposal:{n}";
                var propose = new ProposeScore(CycleId, x.Id, a.Member, p.Score, p.Rationale, evidenceIds, p.RubricVersion,
                    CoAnalysts: a.Analysts);
                Queue(proposalStep, p.By, Roles.Analyst, _ => propose);
                if (p.Review is not { } r) continue;
                var proposalCommandId = CommandId(proposalStep);
                Queue($"{proposalStep}:{r.Action}", r.By, Roles.LeadAnalyst, results =>
                    results(proposalCommandId) is { IsAccepted: true, ResourceId: { } id }
                        ? r.Action switch
                        {
                            "approve" => new ApproveScore(CycleId, x.Id, a.Member, id, r.Comment),
                            "return" => new ReturnProposal(CycleId, x.Id, a.Member, id, r.Comment ?? ""),
                            _ => new RejectScore(CycleId, x.Id, a.Member, id, r.Comment ?? ""),
                        }
                        : null);
            }
        }
    }
}
