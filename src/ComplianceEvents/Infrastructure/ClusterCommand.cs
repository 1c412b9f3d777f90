using JasperFx.CommandLine;

namespace ComplianceEvents.Infrastructure;

/// <summary>No host options: the command runs without a host (CliHost.RunWithoutHost), which would start the cluster.</summary>
public sealed class ClusterInput
{
    [Description("status: where the embedded cluster is, its port and owner; stop: stop it")]
    public string Action { get; set; } = "";

    [Description("stop even while a live server or command owns the cluster (its database connections are cut)")]
    public bool ForceFlag { get; set; }
}

/// <summary>
/// The embedded cluster outlives a host killed with SIGKILL, and a later host takes it over (ClusterOwnership); this
/// stops one nobody will, or shows who owns it. It reads the host's own configuration (Embedded:DataDirectory in
/// appsettings.json, environment, command line), so it finds the same cluster the host does.
/// </summary>
[Description("Show (status) or stop (stop, with --force even while its owner runs) the embedded PostgreSQL cluster", Name = "cluster")]
public sealed class ClusterCommand : JasperFxCommand<ClusterInput>
{
    public const string Problem = "cluster: give status or stop [--force]";

    public ClusterCommand() => Usage("Show or stop the embedded cluster").Arguments(x => x.Action);

    public override bool Execute(ClusterInput input)
    {
        var configuration = CliHost.HostConfiguration();
        try
        {
            if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString(Persistence.ConnectionStringName)))
                return Refuse($"ConnectionStrings:{Persistence.ConnectionStringName} is set: this host uses that server and starts no " +
                    "embedded cluster");
            var state = LocalPostgres.Inspect(Database.EmbeddedDirectory(configuration));
            return input.Action.ToLowerInvariant() switch
            {
                "status" => Status(state),
                "stop" => Stop(state, input.ForceFlag),
                _ => Refuse($"{Problem}, not '{input.Action}'"),
            };
        }
        catch (EmbeddedPostgresException e)
        {
            return Refuse(e.Message);
        }
    }

    private static bool Status(ClusterState state)
    {
        var owner = state.Owner is { } o ? $"owned by {o} ({(o.IsAlive ? "running" : "gone: the next host takes it over")})"
            : "no owner recorded";
        CliHost.Out.WriteLine(state.RunningPort is { } port
            ? $"running from {state.DataDirectory} on 127.0.0.1 port {port}, {owner}"
            : $"stopped: {state.DataDirectory}{(state.RememberedPort is { } p ? $" (port {p} remembered)" : "")}");
        return true;
    }

    private static bool Stop(ClusterState state, bool force)
    {
        if (state.RunningPort is null)
        {
            CliHost.Out.WriteLine($"not running: {state.DataDirectory}");
            return true;
        }
        ClusterOwner? refusedFor = null;
        var stopped = LocalPostgres.StopRunning(state.DataDirectory, owner =>
        {
            if (force || owner is not { IsAlive: true }) return true;
            refusedFor = owner;
            return false;
        });
        if (refusedFor is { } live)
            return Refuse($"cluster stop: the embedded PostgreSQL in {state.DataDirectory} belongs to a running {live}: stop that " +
                "process, or add --force to cut its connections");
        CliHost.Out.WriteLine(stopped ? $"stopped: {state.DataDirectory}" : $"not running: {state.DataDirectory}");
        return true;
    }

    private static bool Refuse(string line)
    {
        Console.Error.WriteLine(line);
        return false;
    }
}
