using ComplianceEvents.Infrastructure;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Embedded;

/// <summary>
/// Issue 15 item 3, least privilege in the embedded default (ADR 0007): the host creates both roles, applies the schema as
/// compliance_migration (its own `migrate` step) and serves as compliance_runtime, which cannot change an event; a cluster
/// whose schema an earlier version created as the superuser is adopted by the migration role and served the same way.
/// </summary>
public sealed class EmbeddedRolesTests : IDisposable
{
    private readonly EmbeddedProject _folder = new();

    [Fact]
    public async Task the_embedded_default_applies_the_schema_as_the_migration_role_and_serves_as_the_runtime_role()
    {
        int port;
        using (var first = await ServerProcess.Start(_folder.Folder))
        {
            port = first.EmbeddedPort;
            Assert.Equal(DatabaseRoles.Runtime, new NpgsqlConnectionStringBuilder(first.PrintedConnectionString).Username);
            Assert.Equal(DatabaseRoles.Runtime, await Scalar(port, "postgres", "select string_agg(distinct usename, ',') from " +
                "pg_stat_activity where datname = 'postgres' and usename like 'compliance%'"));
            Assert.Equal(0, await first.Terminate());
        }
        using var running = await ServerProcess.Start(_folder.Folder);
        Assert.Equal("compliance_migration,compliance_migration", await Scalar(port, "postgres", "select string_agg(nspowner::regrole" +
            "::text, ',' order by nspname) from pg_namespace where nspname in ('compliance', 'wolverine_queues')"));
        // The runtime role reads and inserts the record; it can neither change nor remove it, nor change the schema.
        foreach (var sql in new[] { "update compliance.mt_events set version = version", "delete from compliance.mt_events",
                     "truncate compliance.mt_events", "alter table compliance.mt_events add column x int",
                     "create table compliance.x (id int)" })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => Scalar(port, DatabaseRoles.Runtime, sql));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
        Assert.Equal(0, await running.Terminate());
    }

    [Fact]
    public async Task a_schema_an_earlier_version_created_as_the_superuser_is_adopted_and_served_as_the_runtime_role()
    {
        int port;
        using (var first = await ServerProcess.Start(_folder.Folder))
        {
            port = first.EmbeddedPort;
            // As an earlier version left it: everything owned by the superuser, and no record of a migration.
            await Scalar(port, "postgres", """
                DO $$ DECLARE r record; BEGIN
                  ALTER SCHEMA compliance OWNER TO postgres;
                  FOR r IN SELECT relname FROM pg_class WHERE relnamespace = 'compliance'::regnamespace AND relkind = 'r' LOOP
                    EXECUTE format('ALTER TABLE compliance.%I OWNER TO postgres', r.relname);
                  END LOOP;
                END $$;
                drop table compliance.ce_schema_applied;
                """);
            Assert.Equal(0, await first.Terminate());
        }
        using var again = await ServerProcess.Start(_folder.Folder);
        Assert.Equal(DatabaseRoles.Runtime, new NpgsqlConnectionStringBuilder(again.PrintedConnectionString).Username);
        Assert.Equal("0", await Scalar(port, "postgres", "select count(*)::text from pg_class where relnamespace = " +
            "'compliance'::regnamespace and relkind = 'r' and relowner <> 'compliance_migration'::regrole"));
        var refused = await Assert.ThrowsAsync<PostgresException>(() => Scalar(port, DatabaseRoles.Runtime,
            "delete from compliance.mt_events"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        Assert.Equal(0, await again.Terminate());
    }

    private static async Task<string?> Scalar(int port, string user, string sql)
    {
        await using var conn = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username={user};Database=postgres;Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (await cmd.ExecuteScalarAsync())?.ToString();
    }

    public void Dispose() => _folder.Dispose();
}
