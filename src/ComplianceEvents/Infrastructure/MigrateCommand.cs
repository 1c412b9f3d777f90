using JasperFx.CommandLine;
using Marten;

namespace ComplianceEvents.Infrastructure;

public sealed class MigrateInput : NetCoreInput
{
    [Description("The role that serves (default compliance_runtime): granted what serving needs once the schema is applied")]
    public string RuntimeRoleFlag { get; set; } = DatabaseRoles.Runtime;
}

/// <summary>
/// The schema step of least privilege (ADR 0007): run as the migration role (ConnectionStrings:Marten names it), it applies
/// Marten's and Wolverine's schema (the host's start-up set-up, as db-apply does), grants the runtime role what serving needs
/// (<see cref="DatabaseRoles.GrantRuntime"/>) and records this build as applied. The embedded default runs it by itself.
/// </summary>
[Description("Apply the schema as the migration role and grant the runtime role (least privilege, ADR 0007)", Name = "migrate")]
public sealed class MigrateCommand : JasperFxAsyncCommand<MigrateInput>
{
    public MigrateCommand() => Usage("Apply the schema and grant the runtime role");

    public override async Task<bool> Execute(MigrateInput input)
    {
        using var host = await CliHost.Start(input);
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var connectionString = host.Services.GetRequiredService<DatabaseEndpoint>().ConnectionString;
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await DatabaseRoles.GrantRuntime(connectionString, input.RuntimeRoleFlag);
        await DatabaseRoles.RecordApplied(connectionString, store.Options.DatabaseSchemaName,
            DatabaseRoles.Fingerprint(host.Services.GetRequiredService<IConfiguration>()));
        await CliHost.Out.WriteLineAsync($"APPLIED the schema as {DatabaseRoles.UserOf(connectionString)}; granted " +
            $"{input.RuntimeRoleFlag} (append-only: {string.Join(", ", DatabaseRoles.AppendOnlyTables)})");
        return true;
    }
}
