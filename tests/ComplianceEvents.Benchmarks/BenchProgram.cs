using ComplianceEvents.Benchmarks.Output;

namespace ComplianceEvents.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/ComplianceEvents.Benchmarks [-- --quick] [-- --out DIR]</c>.
/// The full run rewrites docs/benchmarks.md and docs/benchmarks.json; --quick writes to a temp folder unless --out is given.
/// <c>--set Name=Value</c> overrides one of <see cref="Sizes"/> (for trying things out; the docs record the sizes used).
/// <c>--only write,bulk,...</c> runs just those figure groups (<see cref="Bench.Groups"/>) and writes to a temp folder.
/// <c>--spike</c> runs only issue 20's spike (Figures/SpikeFigure.cs, ADR 0005) and writes nothing.
/// </summary>
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        // Ctrl+C or a kill: exit through ProcessExit, which stops and removes the bench's throwaway cluster.
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, _ => Environment.Exit(130));
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => Environment.Exit(143));
        // Issue 20's spike (ADR 0005): only that comparison, printed, nothing written.
        if (args.Contains("--spike")) return await Figures.SpikeFigure.Run(args, Console.Out);
        var quick = args.Contains("--quick");
        var outIndex = Array.IndexOf(args, "--out");
        var outDir = outIndex >= 0 && outIndex + 1 < args.Length ? Path.GetFullPath(args[outIndex + 1])
            : quick ? Path.Combine(Path.GetTempPath(), "compliance-bench-quick") : Path.Combine(RepoRoot(), "docs");

        var sizes = Sizes.Override(quick ? Sizes.Quick : Sizes.Full,
            args.Select((a, i) => (a, i)).Where(x => x.a == "--set" && x.i + 1 < args.Length).Select(x => args[x.i + 1]));
        var onlyIndex = Array.IndexOf(args, "--only");
        var only = onlyIndex >= 0 && onlyIndex + 1 < args.Length ? args[onlyIndex + 1].Split(',').ToHashSet() : null;
        if (only?.Except(Bench.Groups).FirstOrDefault() is { } unknown)
        {
            Console.Error.WriteLine($"--only {unknown}: no such group (groups: {string.Join(", ", Bench.Groups)})");
            return 2;
        }
        var result = await Bench.Run(sizes, Console.Out, only: only);
        // A partial run is for trying things out: it never overwrites the committed docs.
        if (only is not null && outIndex < 0) outDir = Path.Combine(Path.GetTempPath(), "compliance-bench-only");
        Write(result, outDir);
        Console.WriteLine($"wrote {Path.Combine(outDir, "benchmarks.md")} and benchmarks.json");
        return 0;
    }

    public static void Write(BenchResult result, string outDir)
    {
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "benchmarks.json"), JsonOutput.Render(result));
        File.WriteAllText(Path.Combine(outDir, "benchmarks.md"), MarkdownOutput.Render(result));
    }

    /// <summary>The folder holding ComplianceEvents.sln, above the working directory or the program.</summary>
    public static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "ComplianceEvents.sln"))) return dir.FullName;
        throw new InvalidOperationException("ComplianceEvents.sln not found above " + Directory.GetCurrentDirectory());
    }
}
