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
using Marten;

namespace ComplianceEvents.Imports;

/// <summary>
/// A cycle dataset (docs/import-format.md), all or nothing. The file is checked whole (the input contract of the API on
/// every field: a missing value is refused, never defaulted; then <see cref="DatasetChecks"/>), turned into the commands
/// the handlers take, as the people the file names, and every command is decided in memory in one
/// <see cref="ImportTransaction"/>: one refused step refuses the file, with one report line per refused step, and
/// appends nothing. Command ids derive from the file's structure, so a second import of the same file is answered from
/// receipts and appends nothing, and a longer version of a file adds only what is new. Rubric revisions come last,
/// after the scoring they postdate.
/// </summary>
public sealed class DatasetImporter(IDocumentStore store, CommandValidators validators, CommandSlices slices, TimeProvider clock,
    ImportProgress? progress = null)
{
    private static readonly JsonDocumentOptions Reading = new()
    {
        AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip,
    };

    public static DatasetImporter From(IServiceProvider services, ImportProgress? progress = null) =>
        new(services.GetRequiredService<IDocumentStore>(), services.GetRequiredService<CommandValidators>(),
            services.GetRequiredService<CommandSlices>(), services.GetRequiredService<TimeProvider>(), progress);

    /// <summary>One command of the file: its report name, who sends it, and how to build it from earlier steps' answers
    /// (a review needs the id its proposal got; null skips the step, e.g. the review of a refused proposal).</summary>
    private sealed record Step(string Name, Actor Actor, Func<Func<string, CommandResult?>, object?> Build);

    public Task<ImportReport> Import(string json, CancellationToken ct = default) => Import(json, bulk: false, ct);

    /// <summary>With <paramref name="bulk"/>, a file creating a new cycle is decided the same way, then written by
    /// <see cref="BulkLoad"/>; a cycle that exists is refused.</summary>
    public async Task<ImportReport> Import(string json, bool bulk, CancellationToken ct = default)
    {
        var report = new ImportReport();
        var (read, errors) = Read(json);
        foreach (var e in errors) report.Error(e);
        if (read is not { } dataset) return report;
        if (bulk && await BulkLoad.Existing(store, dataset.Cycle.Id, ct) is { } exists) return report.Refuse(exists);

        var steps = Plan(dataset);
        await using var tx = await ImportTransaction.Begin(store, validators, slices, clock.GetUtcNow(), ct);
        await tx.Load(dataset.Cycle.Id, ct);
        await tx.LoadReceipts(steps.Select(s => (s.Actor, CommandId(dataset.Cycle.Id, s.Name))), ct);
        tx.Precheck(steps.Select(s => s.Build(_ => null)).OfType<object>().ToList());

        var results = new Dictionary<string, CommandResult>();
        var done = new List<(string Step, CommandResult Result)>();
        foreach (var step in steps)
        {
            var commandId = CommandId(dataset.Cycle.Id, step.Name);
            if (step.Build(id => results.GetValueOrDefault(id)) is { } command)
            {
                var result = results[commandId] = tx.Send(command, step.Actor, commandId);
                done.Add((step.Name, result));
            }
            progress?.Report(done.Count, steps.Count);
        }
        if (done.Any(d => !d.Result.IsAccepted))
        {
            // Nothing is saved: only the refusals are reported, each once.
            foreach (var (name, result) in done.Where(d => !d.Result.IsAccepted)) report.Add(name, result);
            return report;
        }
        if (bulk)
        {
            if (await (progress?.Saving(tx.Events, BulkLoad.Write(store, tx, dataset.Cycle.Id, ct))
                    ?? BulkLoad.Write(store, tx, dataset.Cycle.Id, ct)) is { } meanwhile)
                return report.Refuse(meanwhile);
        }
        else if (tx.Events > 0 && await (progress?.Saving(tx.Events, tx.Commit(ct)) ?? tx.Commit(ct)) is { } conflict)
        {
            report.Error($"{conflict.Rule}: {conflict.Message}");
            return report;
        }
        foreach (var (name, result) in done) report.Add(name, result);
        return report;
    }

    /// <summary>The dataset, or the file's errors (none with a dataset): JSON syntax, then the contract of every field,
    /// then the whole-file checks.</summary>
    public static (CycleDataset? Dataset, IReadOnlyList<string> Errors) Read(string json)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(json, Reading); }
        catch (JsonException e)
        {
            return (null, [$"line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}: "
                + e.Message.Split(" LineNumber:")[0].Split(" Path:")[0]]);
        }
        using var parsed = document;
        var contract = JsonContract.Check(document.RootElement, JsonContract.BodyOf(typeof(CycleDataset), []));
        if (contract.Count > 0) return (null, contract.Select(e => $"{e.Field} ({e.Rule}): {e.Message}").ToList());
        // Bound from the document already parsed and checked, not parsed again.
        var dataset = document.RootElement.Deserialize<CycleDataset>(CycleDataset.Json);
        var problems = DatasetChecks.Problems(dataset).ToList();
        return problems.Count > 0 ? (null, problems) : (dataset, []);
    }

    private static string CommandId(string cycleId, string step) => $"import:{cycleId}:{step}";

    /// <summary>Every command of the file, in the order they are decided.</summary>
    private static List<Step> Plan(CycleDataset d)
    {
        var c = d.Cycle;
        var director = c.Director ?? "import";
        Actor As(string user, params string[] roles) =>
            new(user, UserIds.Same(user, director) ? [.. roles, Roles.ComplianceDirector] : roles);
        var steps = new List<Step>();
        void Add(string name, object command, Actor actor) => steps.Add(new Step(name, actor, _ => command));

        Add("cycle", new OpenCycle(c.Id, c.SummitName, c.HostCity, c.HostCountry, c.SummitStart, c.SummitEnd, c.Members, c.PreparedBy),
            As(director));
        foreach (var w in d.Windows ?? [])
            Add($"window:{w.Kind}", new SetReportWindow(c.Id, w.Kind, w.Start, w.Cutoff), As(director));
        var revisions = new List<Step>();
        foreach (var x in d.Commitments ?? [])
        {
            var key = $"commitment:{x.Id}";
            Add(key, new SelectCommitment(c.Id, x.Id, x.Number, x.IssueArea, x.Title, x.Text, x.Source, x.LeadAnalyst,
                x.ComplianceDirector, x.Dimensions,
                x.Definitions?.Select(def => new Definition(def.Term, def.Meaning, def.Citation?.ToCitation())).ToList(),
                x.InterpretiveGuidelines, x.Background, x.Features), As(director));
            foreach (var na in x.NotApplicable ?? [])
                Add($"{key}:not-applicable:{na.Member}", new MarkMemberNotApplicable(c.Id, x.Id, na.Member, na.Reason),
                    As(x.LeadAnalyst, Roles.LeadAnalyst));
            foreach (var r in (x.Rubric ?? []).OrderBy(r => r.Version))
            {
                if (r.Version == 1)
                    Add($"{key}:rubric:1", new PublishRubric(c.Id, x.Id, r.ToInput()), As(r.By, Roles.LeadAnalyst));
                // Revisions come after the scoring they postdate, so approvals under version 1 say so (DESIGN 1.2 rule 8).
                else
                {
                    var revise = new ReviseRubric(c.Id, x.Id, r.ToInput(), r.Reason!);
                    revisions.Add(new Step($"{key}:rubric:{r.Version}", As(r.By, Roles.LeadAnalyst), _ => revise));
                }
            }
            foreach (var a in x.Assessments ?? []) Assessment(c.Id, x, a, steps, As);
        }
        steps.AddRange(revisions);
        return steps;
    }

    private static void Assessment(string cycleId, DatasetCommitment x, DatasetAssessment a, List<Step> steps,
        Func<string, string[], Actor> As)
    {
        var key = $"commitment:{x.Id}:{a.Member}";
        var recorder = a.Analysts?.FirstOrDefault() ?? x.LeadAnalyst;
        foreach (var e in a.Evidence ?? [])
        {
            var record = new RecordEvidence(cycleId, x.Id, a.Member, e.ActionDate, e.Summary,
                (e.Citations ?? []).Select(ci => ci.ToCitation()).ToList(), e.Dimensions, e.Strength, e.Key);
            steps.Add(new Step($"{key}:evidence:{e.Key}", As(recorder, [Roles.Analyst]), _ => record));
        }

        var n = 0;
        foreach (var p in a.Proposals ?? [])
        {
            var proposalStep = $"{key}:proposal:{++n}";
            var evidenceIds = p.Evidence.ValueKind == JsonValueKind.Array
                ? p.Evidence.EnumerateArray().Select(k => k.GetString()!).ToList()
                : (a.Evidence ?? []).Select(e => e.Key).ToList();
            var propose = new ProposeScore(cycleId, x.Id, a.Member, p.Score, p.Rationale, evidenceIds, p.RubricVersion,
                CoAnalysts: a.Analysts);
            steps.Add(new Step(proposalStep, As(p.By, [Roles.Analyst]), _ => propose));
            if (p.Review is not { } r) continue;
            var proposalCommandId = CommandId(cycleId, proposalStep);
            steps.Add(new Step($"{proposalStep}:{r.Action}", As(r.By, [Roles.LeadAnalyst]), results =>
                results(proposalCommandId) is { IsAccepted: true, ResourceId: { } id }
                    ? r.Action switch
                    {
                        "approve" => new ApproveScore(cycleId, x.Id, a.Member, id, r.Comment),
                        "return" => new ReturnProposal(cycleId, x.Id, a.Member, id, r.Comment ?? ""),
                        _ => new RejectScore(cycleId, x.Id, a.Member, id, r.Comment ?? ""),
                    }
                    : null));
        }
    }
}
