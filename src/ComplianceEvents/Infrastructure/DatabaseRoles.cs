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

    /// <summary>
    /// Gives the migration role every schema a version before the two roles created as the superuser (an embedded cluster kept
    /// between runs), with its tables, sequences, views and functions, so it can apply the next change to them.
    /// </summary>
    public static Task Adopt(string superuserConnectionString) =>
        Execute(superuserConnectionString, $"""
            DO $$ DECLARE s text; r record; BEGIN
              FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\_%' AND nspname NOT IN ('information_schema', 'public')
                  AND nspowner <> '{Migration}'::regrole LOOP
                EXECUTE format('ALTER SCHEMA %I OWNER TO {Migration}', s);
                FOR r IN SELECT relname, relkind FROM pg_class WHERE relnamespace = s::regnamespace AND relkind IN ('r', 'p', 'S', 'v', 'm')
                    AND relowner <> '{Migration}'::regrole AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = pg_class.oid AND d.deptype IN ('a', 'i')) LOOP -- a column's sequence follows its table
                  EXECUTE format('ALTER %s %I.%I OWNER TO {Migration}', CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                    WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, s, r.relname);
                END LOOP;
                FOR r IN SELECT oid::regprocedure AS signature, prokind FROM pg_proc WHERE pronamespace = s::regnamespace LOOP
                  EXECUTE format('ALTER %s %s OWNER TO {Migration}', CASE r.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
                    r.signature);
                END LOOP;
              END LOOP;
            END $$;
            """);

    /// <summary>The table where <c>migrate</c> records the build whose schema it applied (the embedded default applies again only
    /// for another build).</summary>
    public const string AppliedTable = "ce_schema_applied";

    /// <summary>
    /// What the schema follows from: this build (Marten's and Wolverine's tables derive from it) and the Integration settings
    /// (each queue is a table). A CLI beside the server with other queue settings applies its own tables once.
    /// </summary>
    public static string Fingerprint(IConfiguration configuration)
    {
        var integration = configuration.GetSection("Integration").AsEnumerable().Where(kv => kv.Value is not null)
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}");
        var text = typeof(DatabaseRoles).Assembly.ManifestModule.ModuleVersionId.ToString("N") + "\n" + string.Join("\n", integration);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    public static Task RecordApplied(string migrationConnectionString, string schema, string fingerprint) =>
        Execute(migrationConnectionString, $"create table if not exists {schema}.{AppliedTable} (build text primary key, " +
            $"applied_at timestamptz not null default now()); insert into {schema}.{AppliedTable} (build) values ('{fingerprint}') " +
            "on conflict do nothing");

    public static async Task<bool> Applied(string connectionString, string schema, string fingerprint)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"select exists (select 1 from {schema}.{AppliedTable} where build = '{fingerprint}')",
            conn);
        // Before the first migration the table is missing: not applied.
        try { return (bool)(await cmd.ExecuteScalarAsync())!; }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return false;
        }
    }

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
