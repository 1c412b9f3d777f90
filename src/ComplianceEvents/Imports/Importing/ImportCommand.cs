using ComplianceEvents.Infrastructure;
using JasperFx.CommandLine;

namespace ComplianceEvents.Imports.Importing;

public sealed class ImportInput : NetCoreInput
{
    [Description("A cycle dataset (.json) or a historical score matrix (.csv); see docs/import-format.md")]
    public string File { get; set; } = "";

    [Description("A cycle dataset creating a new cycle: decided step by step in memory, then loaded with the bulk event insert")]
    public bool BulkFlag { get; set; }
}

[Description("Import a cycle dataset (.json) or a historical score matrix (.csv) through the command handlers", Name = "import")]
public sealed class ImportCommand : JasperFxAsyncCommand<ImportInput>
{
    /// <summary>An import is one transaction holding the file's events until its commit (docs/import-format.md).</summary>
    public const long MaxFileBytes = 32 * 1024 * 1024;

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

        if (new FileInfo(input.File).Length is var size and > MaxFileBytes)
        {
            Console.Error.WriteLine($"import: {input.File} is {size / (1024 * 1024.0):0.#} MB; a file holds at most "
                + $"{MaxFileBytes / (1024 * 1024)} MB (docs/import-format.md)");
            return false;
        }

        if (input.BulkFlag && extension != ".json")
        {
            Console.Error.WriteLine($"import: {input.File}: --bulk takes a cycle dataset (.json), not a score matrix");
            return false;
        }

        using var host = await CliHost.Start(input);
        await using var scope = host.Services.CreateAsyncScope();
        var text = await System.IO.File.ReadAllTextAsync(input.File);
        var services = scope.ServiceProvider;
        var progress = ImportProgress.ForConsole(services.GetRequiredService<TimeProvider>(), extension == ".json" ? "steps" : "rows");
        var report = extension == ".json"
            ? await DatasetImporter.From(services, progress).Import(text, input.BulkFlag)
            : await ScoreMatrixImporter.From(services, progress).Import(text, Path.GetFileName(input.File));
        progress.Done();

        if (report.Refusal is { } refusal)
        {
            Console.Error.WriteLine($"import: {refusal}");
            await host.StopAsync();
            return false;
        }
        var output = report.Succeeded ? CliHost.Out : Console.Error;
        await output.WriteLineAsync($"import {input.File}: {(report.Succeeded ? "done" : "REFUSED")}");
        await output.WriteLineAsync(report.Summary());
        await host.StopAsync();
        return report.Succeeded;
    }
}
