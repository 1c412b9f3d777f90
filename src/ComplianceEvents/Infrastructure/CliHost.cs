using JasperFx.CommandLine;

namespace ComplianceEvents.Infrastructure;

/// <summary>CLI commands run the same host (same handlers, same database default) without serving HTTP.</summary>
public static class CliHost
{
    /// <summary>Set by Program when the first argument names a command other than run.</summary>
    public static bool IsCommand(string[] args) =>
        args.Length > 0 && !args[0].StartsWith('-') && !args[0].Equals("run", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The real standard output. JasperFx prints its command discovery ("Searching ... for commands") to
    /// stdout, which would corrupt `report ... > file`; CLI mode sends Console.Out to stderr and commands
    /// write their results here.
    /// </summary>
    public static TextWriter Out { get; private set; } = Console.Out;

    public static void KeepStdoutForResults()
    {
        Out = Console.Out;
        Console.SetOut(Console.Error);
    }

    public static async Task<IHost> Start(NetCoreInput input)
    {
        var host = input.BuildHost();
        await host.StartAsync();
        return host;
    }
}
