using ComplianceEvents.Infrastructure.Auth;
using JasperFx;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Connections;
using Npgsql;
using Spectre.Console;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// The process's entry points: the HTTP server, CLI commands that run the same host (same handlers, same database
/// default) without serving HTTP, and commands that need no host at all. Each prints what the user asked for, and a
/// failure the product can name as one line with a non-zero exit.
/// </summary>
public static class CliHost
{
    /// <summary>Set by Program when the first argument names a command other than run.</summary>
    public static bool IsCommand(string[] args) =>
        args.Length > 0 && !args[0].StartsWith('-') && !args[0].Equals("run", StringComparison.OrdinalIgnoreCase);

    /// <summary>`token` signs with the key from configuration or .data/keys: no host, no database. `cluster` inspects or
    /// stops the embedded cluster, which starting the host would start.</summary>
    public static bool NeedsNoHost(string[] args) => args.Length > 0 && (IsCommandNamed(args, "token") || IsCommandNamed(args, "cluster"));

    private static bool IsCommandNamed(string[] args, string name) => args[0].Equals(name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The host's configuration sources exactly (WebApplication's defaults: appsettings.json in the working directory,
    /// environment, command line), for a command that runs without building or starting the host.</summary>
    public static IConfiguration HostConfiguration() => WebApplication.CreateBuilder(Environment.GetCommandLineArgs()[1..]).Configuration;

    /// <summary>Runs a command that needs no host; only that command is registered, so nothing is scanned.</summary>
    public static Task<int> RunWithoutHost(string[] args)
    {
        KeepStdoutForResults();
        var token = IsCommandNamed(args, "token");
        if (args.Length < 2 || args[1].StartsWith('-'))
        {
            // JasperFx would answer a missing argument with its whole usage tree
            Console.Error.WriteLine(token ? TokenCommand.Problem : ClusterCommand.Problem);
            return Task.FromResult(1);
        }
        return token ? CommandExecutor.ExecuteCommandAsync<TokenCommand>(args) : CommandExecutor.ExecuteCommandAsync<ClusterCommand>(args);
    }

    /// <summary>
    /// The real standard output. Commands write their results here; CLI mode sends Console.Out to stderr so that
    /// anything else a framework prints cannot corrupt `report ... > file`.
    /// </summary>
    public static TextWriter Out { get; private set; } = Console.Out;

    public static void KeepStdoutForResults()
    {
        Out = Console.Out;
        Console.SetOut(Console.Error);
    }

    /// <summary>Runs a CLI command through JasperFx (ours and the built-in db and projection commands), without its discovery
    /// banner.</summary>
    public static Task<int> RunCommand(WebApplication app, string[] args)
    {
        // JasperFx prints "Searching '<assembly>' for commands" for every extension assembly until its static
        // "extensions applied" latch is set; applying an empty set of extensions sets it, and nothing else. The blank
        // line it still ends discovery with is dropped; its usage and error output stays (on stderr, see Out).
        new CommandFactory().ApplyExtensions(new ServiceCollection());
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(new LeadingBlankLinesDropped(Console.Error)),
        });
        return app.RunJasperFxCommands(args);
    }

    /// <summary>Starts the HTTP server and runs it until shutdown (Ctrl+C included).</summary>
    public static async Task<int> Serve(WebApplication app)
    {
        try
        {
            await app.StartAsync();
        }
        catch (Exception e) when (OneLine(e) is { } line)
        {
            Console.Error.WriteLine(line);
            await app.DisposeAsync();
            return 1;
        }
        foreach (var line in HostConnection.Describe(app.Services)) Console.Error.WriteLine(line);
        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>Starts the host a command runs on; a cause the product can name ends the process with one line.</summary>
    public static async Task<IHost> Start(NetCoreInput input)
    {
        var host = input.BuildHost();
        // Schema set-up on a fresh database prints its DDL to Console.Out (Weasel's default migration logger): not a result.
        var results = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            await host.StartAsync();
        }
        catch (Exception e) when (OneLine(e) is { } line)
        {
            Console.Error.WriteLine(line);
            Environment.Exit(1); // JasperFx would print the exception with its stack; the cluster is stopped on ProcessExit
        }
        finally
        {
            Console.SetOut(results);
        }
        return host;
    }

    /// <summary>One line for a failure whose cause is outside the code (database, port, embedded cluster); null for a bug.</summary>
    public static string? OneLine(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException ?? (x as AggregateException)?.InnerExceptions.FirstOrDefault())
        {
            switch (x)
            {
                case EmbeddedPostgresException embedded:
                    return embedded.Message;
                case IOException { InnerException: AddressInUseException } io:
                    return $"cannot listen: {io.Message} (choose another address with --urls)";
                case PostgresException pg:
                    return $"the database refused: {pg.SqlState} {pg.MessageText}";
                case NpgsqlException npgsql:
                    return $"the database is unreachable: {(npgsql.InnerException ?? npgsql).Message}";
            }
        }
        return null;
    }
}

/// <summary>Forwards everything but the empty lines written before the first text.</summary>
internal sealed class LeadingBlankLinesDropped(TextWriter inner) : TextWriter
{
    private bool _started;

    public override System.Text.Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (!_started && value is '\n' or '\r') return;
        _started = true;
        inner.Write(value);
    }

    public override void Write(string? value)
    {
        if (!_started) value = value?.TrimStart('\n', '\r');
        if (string.IsNullOrEmpty(value)) return;
        _started = true;
        inner.Write(value);
    }

    public override void Flush() => inner.Flush();
}
