using Npgsql;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// DESIGN 2.4, privilege: a migration role owns and applies the schema; the runtime role serves. The runtime role may read
/// and write what serving needs (documents, streams, progression, Wolverine's envelopes and queues, receipts) but only
/// read and insert the append-only tables: the record can be added to, never changed, by the process that serves.
/// </summary>
public static class DatabaseRoles
{
    public const string Migration = "compliance_migration", Runtime = "compliance_runtime";

    /// <summary>Tables of the schema the runtime role may only SELECT and INSERT: the record and its chain. Add a table here
    /// and the next apply grants it so.</summary>
    public static readonly IReadOnlyList<string> AppendOnlyTables = ["mt_events", .. Chain.EventChain.Tables];

    /// <summary>Creates both roles when missing (the embedded default: trust on loopback, no passwords), with a superuser
    /// connection. The migration role may create schemas in the database the connection names.</summary>
    public static async Task Create(string superuserConnectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(superuserConnectionString).Database ?? "postgres";
        await Execute(superuserConnectionString, $"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{Migration}') THEN CREATE ROLE {Migration} LOGIN; END IF;
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{Runtime}') THEN CREATE ROLE {Runtime} LOGIN; END IF;
            END $$;
            GRANT CREATE, CONNECT ON DATABASE "{database}" TO {Migration};
            GRANT CONNECT ON DATABASE "{database}" TO {Runtime};
            """);
    }

    /// <summary>
    /// Grants <paramref name="runtimeRole"/> what serving needs on every object of every schema the migration role owns
    /// (Marten's and Wolverine's), run as that owner after each apply so objects a later version adds are covered: all DML,
    /// but on <see cref="AppendOnlyTables"/> only SELECT and INSERT, and no DDL (it owns nothing and may not CREATE).
    /// </summary>
    public static Task GrantRuntime(string migrationConnectionString, string runtimeRole) =>
        Execute(migrationConnectionString, $"""
            DO $$ DECLARE s text; t text; BEGIN
              FOR s IN SELECT nspname FROM pg_namespace WHERE nspowner = current_user::regrole LOOP
                EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, '{runtimeRole}');
                EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA %I TO %I', s, '{runtimeRole}');
                EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO %I', s, '{runtimeRole}');
                EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO %I', s, '{runtimeRole}');
                FOREACH t IN ARRAY ARRAY['{string.Join("','", AppendOnlyTables)}'] LOOP
                  IF to_regclass(format('%I.%I', s, t)) IS NOT NULL THEN
                    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I.%I FROM %I', s, t, '{runtimeRole}');
                  END IF;
                END LOOP;
              END LOOP;
            END $$;
            """);

    /// <summary>The user a connection string logs in as.</summary>
    public static string UserOf(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString).Username
            ?? throw new InvalidOperationException("the runtime connection string names no user");

    private static async Task Execute(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
