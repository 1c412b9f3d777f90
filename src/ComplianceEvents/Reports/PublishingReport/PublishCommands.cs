using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Chain;
using ComplianceEvents.Reports.VerifyingReport;
using JasperFx.CommandLine;
using Marten;

namespace ComplianceEvents.Reports.PublishingReport;

public sealed class PublishInput : NetCoreInput
{
    [Description("Cycle id")]
    public string Cycle { get; set; } = "";

    [Description("interim or final")]
    public string KindFlag { get; set; } = "";

    [Description("Why a new edition corrects the previous one (required from the second edition on)")]
    public string? ReasonFlag { get; set; }

    [Description("Acting user recorded on the event (default: $USER); the CLI acts as an editor")]
    public string? UserFlag { get; set; }
}

[Description("Publish the next edition of a cycle's interim or final report", Name = "publish")]
public sealed class PublishCommand : JasperFxAsyncCommand<PublishInput>
{
    public PublishCommand() => Usage("Publish an edition").Arguments(x => x.Cycle);

    public override async Task<bool> Execute(PublishInput input)
    {
        if (!Enum.TryParse<ReportKind>(input.KindFlag, true, out var kind) || int.TryParse(input.KindFlag, out _))
        {
            Console.Error.WriteLine("publish: --kind must be interim or final");
            return false;
        }
        using var host = await CliHost.Start(input);
        var actor = new Actor(input.UserFlag ?? Environment.GetEnvironmentVariable("USER") ?? "cli", [Roles.Editor]);
        var result = await host.Services.GetRequiredService<CommandRunner>()
            .Send(new PublishReport(input.Cycle, kind, input.ReasonFlag), new CommandContext(actor), default);
        if (!result.IsAccepted)
        {
            // One line (README "Command line"): the rule, then each field with its rule.
            Console.Error.WriteLine($"publish: {result.Rule}: {result.Message}" +
                string.Concat(result.Errors.Select(e => $" {e.Field}: {e.Rule}: {e.Message}")));
            return false;
        }
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var cycle = await session.LoadAsync<Cycle>(Cycle.StreamKey(input.Cycle));
        var edition = cycle!.Editions.Last(e => e.Kind == kind);
        await CliHost.Out.WriteLineAsync($"published {input.Cycle} {kind.ToString().ToLowerInvariant()} edition {edition.Edition}: sequence {edition.PinnedSequence}, sha256 {edition.ContentHash}");
        return true;
    }
}

public sealed class VerifyInput : NetCoreInput
{
    [Description("Cycle id")]
    public string Cycle { get; set; } = "";

    [Description("interim or final")]
    public string KindFlag { get; set; } = "";

    [Description("Edition number")]
    public int EditionFlag { get; set; }
}

[Description("Regenerate a published edition and prove by SHA-256 that it is identical (exit 0 only then)", Name = "verify")]
public sealed class VerifyCommand : JasperFxAsyncCommand<VerifyInput>
{
    public VerifyCommand() => Usage("Verify an edition").Arguments(x => x.Cycle);

    public override async Task<bool> Execute(VerifyInput input)
    {
        if (!Enum.TryParse<ReportKind>(input.KindFlag, true, out var kind) || int.TryParse(input.KindFlag, out _) || input.EditionFlag < 1)
        {
            Console.Error.WriteLine("verify: --kind interim|final and --edition N (1 or more) are required");
            return false;
        }
        using var host = await CliHost.Start(input);
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var check = await EditionCheck.Run(session, host.Services.GetRequiredService<Chainer>(),
            host.Services.GetRequiredService<ChainVerifier>(), input.Cycle, kind, input.EditionFlag, default);
        if (check is null)
        {
            Console.Error.WriteLine($"verify: cycle '{input.Cycle}' has no {kind.ToString().ToLowerInvariant()} edition {input.EditionFlag}");
            return false;
        }
        var v = check.Content;
        var line = $"{v.CycleId} {kind.ToString().ToLowerInvariant()} edition {v.Edition} (sequence {v.PinnedSequence}): published " +
            $"{v.Expected}, regenerated {v.Actual}";
        await (v.Identical ? CliHost.Out : Console.Error).WriteLineAsync((v.Identical ? "IDENTICAL " : "DIFFERENT ") + line);
        // Identical output proves nothing when what it was computed from, or its record, was rewritten with every hash.
        if (check.ChainProblem is { } problem) await Console.Error.WriteLineAsync($"UNVERIFIED {problem}");
        // On standard error, beside the verdict's reason when there is one: standard output stays the edition's comparison.
        else await Console.Error.WriteLineAsync($"CHAIN INTACT through sequence {check.Chain.ChainedThrough} (the edition's record is " +
            $"at {v.RecordedAt})");
        return check.Verified;
    }
}
