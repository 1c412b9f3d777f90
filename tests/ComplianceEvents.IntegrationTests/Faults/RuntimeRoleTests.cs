using ComplianceEvents.Assessments.ApprovingScore;
using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Auth;
using ComplianceEvents.Reports.PublishingReport;
using ComplianceEvents.IntegrationTests.WriteSide;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static ComplianceEvents.IntegrationTests.Integration.IntegrationHost;

namespace ComplianceEvents.IntegrationTests.Faults;

/// <summary>
/// DESIGN 2.4, least privilege: the schema applied by the migration role, a host serving as the runtime role records,
/// proposes, approves and publishes; the runtime role's own UPDATE, DELETE and TRUNCATE of an event and its DDL are each
/// refused by PostgreSQL (42501, insufficient privilege). On a database of its own on the fixture's server.
/// </summary>
public sealed class RuntimeRoleTests(AppFixture app) : HostTest(app)
{
    [Fact]
    public async Task the_runtime_role_serves_but_cannot_change_an_event_nor_run_ddl()
    {
        var superuser = CreateDatabase(App.ServerConnectionString, "compliance_roles_" + Guid.NewGuid().ToString("N")[..6]);
        await DatabaseRoles.Create(superuser);
        string As(string role) => new NpgsqlConnectionStringBuilder(superuser) { Username = role }.ConnectionString;
        await using (var migrating = App.Factory.WithWebHostBuilder(b =>
            b.UseSetting($"ConnectionStrings:{Persistence.ConnectionStringName}", As(DatabaseRoles.Migration))))
            _ = migrating.Server;
        await DatabaseRoles.GrantRuntime(As(DatabaseRoles.Migration), DatabaseRoles.Runtime);

        await using var node = App.Factory.WithWebHostBuilder(b =>
            b.UseSetting($"ConnectionStrings:{Persistence.ConnectionStringName}", As(DatabaseRoles.Runtime)));
        var runner = node.Services.GetRequiredService<CommandRunner>();
        Task<CommandResult> Send(object command, string user, string[] roles) =>
            runner.Send(command, new CommandContext(new Actor(user, roles)), default);
        await BuildWorld(Send);
        await World.Expect(Send(World.Evidence("CA", new DateOnly(2024, 7, 12)), World.Analyst, World.AnalystRoles));
        await World.Expect(Send(World.Proposal("CA", 0, "e1"), World.Analyst, World.AnalystRoles));
        await World.Expect(Send(new ApproveScore(World.Cycle, World.C19, "CA", "p1"), World.Lead, World.LeadRoles));
        await World.Expect(Send(new PublishReport(World.Cycle, ReportKind.Interim), "chair", [Roles.Editor]));

        await using var conn = new NpgsqlConnection(As(DatabaseRoles.Runtime));
        await conn.OpenAsync();
        foreach (var sql in new[]
        {
            "update compliance.mt_events set data = '{}' where seq_id = 1",
            "delete from compliance.mt_events where seq_id = 1",
            "truncate compliance.mt_events",
            "create table compliance.intruder (id int)",
            "alter table compliance.mt_events add column forged text",
            "drop table compliance.mt_events",
        })
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
            Assert.True(refused.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {refused.SqlState} {refused.MessageText}");
        }
        await using var count = new NpgsqlCommand("select count(*) from compliance.mt_events where type = 'evidence_recorded'", conn);
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }
}
