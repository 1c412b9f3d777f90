using ComplianceEvents.Assessments;
using ComplianceEvents.Commitments;
using ComplianceEvents.Cycles;
using ComplianceEvents.Reports.CheckingDrift;
using ComplianceEvents.Reports.GettingScores;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;
using Weasel.Core;
using Wolverine.Marten;

namespace ComplianceEvents.Infrastructure;

public static class Persistence
{
    public const string ConnectionStringName = "Marten";

    /// <summary>Event type names are stable and explicit (CONVENTIONS "Names"): moving or renaming a class never renames stored events.</summary>
    public static readonly IReadOnlyDictionary<Type, string> EventNames = new Dictionary<Type, string>
    {
        [typeof(CycleOpened)] = "cycle_opened",
        [typeof(ReportWindowSet)] = "report_window_set",
        [typeof(CycleAmended)] = "cycle_amended",
        [typeof(ReportPublished)] = "report_published",
        [typeof(CommitmentSelected)] = "commitment_selected",
        [typeof(CommitmentRenumbered)] = "commitment_renumbered",
        [typeof(MemberMarkedNotApplicable)] = "member_marked_not_applicable",
        [typeof(MemberApplicabilityRestored)] = "member_applicability_restored",
        [typeof(RubricPublished)] = "rubric_published",
        [typeof(RubricRevised)] = "rubric_revised",
        [typeof(AssessmentOpened)] = "assessment_opened",
        [typeof(EvidenceRecorded)] = "evidence_recorded",
        [typeof(EvidenceAmended)] = "evidence_amended",
        [typeof(EvidenceWithdrawn)] = "evidence_withdrawn",
        [typeof(ScoreProposed)] = "score_proposed",
        [typeof(ProposalReturned)] = "proposal_returned",
        [typeof(ScoreApproved)] = "score_approved",
        [typeof(ScoreRejected)] = "score_rejected",
    };

    public static IServiceCollection AddCompliancePersistence(this IServiceCollection services, string connectionString)
    {
        services.AddMarten(opts => Configure(opts, connectionString))
            .UseLightweightSessions()
            .IntegrateWithWolverine()
            // Subscriptions (the integration publisher) run on one node at a time; a CLI process leaves them to the server.
            .AddAsyncDaemon(CliHost.IsCommand(Environment.GetCommandLineArgs()[1..]) ? DaemonMode.Disabled : DaemonMode.HotCold);
        services.AddSingleton(CommandValidators.FromAssembly(typeof(Persistence).Assembly));
        services.AddSingleton<CommandRunner>();
        services.AddSingleton<LogHorizon>();
        services.AddSingleton<ReadModelDrift>();
        services.AddSingleton<DriftMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<DriftMonitor>());
        services.AddSingleton<IStatusCheck, DriftHealth>();
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    public static void Configure(StoreOptions opts, string connectionString)
    {
        opts.Connection(connectionString);
        opts.DatabaseSchemaName = "compliance";
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString);
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        opts.Events.StreamIdentity = StreamIdentity.AsString;
        // Quick append: the sequence number and the timestamp are taken by the database inside the appending
        // transaction. Rich mode reserves sequence numbers in a statement before that transaction and stamps events with
        // the client's clock, so a pin could not know that a lower sequence is still on its way (LogHorizon, ADR 0003).
        opts.Events.AppendMode = EventAppendMode.Quick;
        opts.Events.MetadataConfig.EnableAll();
        foreach (var (type, name) in EventNames)
            opts.Events.MapEventType(type, name);

        opts.Projections.Snapshot<Cycle>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<Commitment>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<Assessment>(SnapshotLifecycle.Inline);
        opts.Projections.Add(new CellScoreProjection(), ProjectionLifecycle.Inline);
        // Rebuilds (docs/benchmarks.md, B3): pages of 5,000 events, and each snapshot written once per window of
        // 100,000 changed aggregates instead of once per page it appears in (Marten's default rewrites a growing
        // assessment for nearly every one of its events; a window of 5,000 still rewrote it a dozen times, because a
        // cell's evidence is spread over a year of the log). 100,000 cells is some 600 cycles: in practice one window,
        // and the bound on the snapshots a rebuild holds in memory.
        foreach (var projection in opts.Projections.All)
        {
            projection.Options.BatchSize = 5_000;
            projection.Options.RebuildFlushThreshold = 100_000;
        }
        opts.Schema.For<Commitment>().Index(c => c.CycleId);
        // A commitment's number is unique in its cycle, but each commitment is its own stream: two concurrent selections
        // with one number would both pass the decision's read. The index makes the second commit fail, and the runner
        // decides again, now seeing the number taken (ADR 0003).
        opts.Schema.For<Commitment>().UniqueIndex(UniqueIndexType.Computed, "uq_commitment_cycle_number", c => c.CycleId, c => c.Number);
        opts.Schema.For<Assessment>().Index(a => a.CycleId);
        opts.Schema.For<CellScore>().Index(c => c.CycleId);
        opts.Schema.For<CommandReceipt>().Identity(r => r.Id);
    }
}
