using ComplianceEvents.Infrastructure;
using JasperFx.CommandLine;
using Marten;
using Wolverine;

namespace ComplianceEvents.Imports.Importing;

public sealed class ImportInput : NetCoreInput
{
    [Description("A cycle dataset (.json) or a historical score matrix (.csv); see docs/import-format.md")]
    public string File { get; set; } = "";
}

[Description("Import a cycle dataset (.json) or a historical score matrix (.csv) through the command handlers", Name = "import")]
public sealed class ImportCommand : JasperFxAsyncCommand<ImportInput>
{
    public ImportCommand() => Usage("Import a file").Arguments(x => x.File);

    public override async Task<bool> Execute(ImportInput input)
    {
        if (!System.IO.File.Exists(input.File))
        {
            Console.Error.WriteLine($"import: file not found: {input.File}");
            return false;
        }
        var extension = Path.GetExtension(input.File).ToLowerInvariant();
        if (extension is not (".json" or ".csv"))
        {
            Console.Error.WriteLine($"import: {input.File}: the extension must be .json (cycle dataset) or .csv (score matrix)");
            return false;
        }

        using var host = await CliHost.Start(input);
        await using var scope = host.Services.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        var text = await System.IO.File.ReadAllTextAsync(input.File);
        var services = scope.ServiceProvider;
        var clock = services.GetRequiredService<TimeProvider>();
        var progress = ImportProgress.ForConsole(clock, extension == ".json" ? "steps" : "rows");
        var report = extension == ".json"
            ? await new DatasetImporter(bus, progress: progress).Import(text)
            : await new ScoreMatrixImporter(services.GetRequiredService<IDocumentStore>(),
                services.GetRequiredService<CommandValidators>(), clock, progress)
                .Import(text, Path.GetFileName(input.File));
        progress.Done();

        var output = report.Succeeded ? CliHost.Out : Console.Error;
        await output.WriteLineAsync($"import {input.File}: {(report.Succeeded ? "done" : "REFUSED")}");
        await output.WriteLineAsync(report.Summary());
        await host.StopAsync();
        return report.Succeeded;
    }
}
