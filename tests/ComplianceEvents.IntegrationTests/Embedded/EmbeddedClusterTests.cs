using System.Net;
using System.Net.Sockets;
using ComplianceEvents.Infrastructure;
using Npgsql;

namespace ComplianceEvents.IntegrationTests.Embedded;

/// <summary>The embedded default's clusters, started from the installed binaries; every refusal is one line.</summary>
public sealed class EmbeddedClusterTests
{
    [Fact]
    public async Task a_folder_postgres_cannot_reach_keeps_the_cluster_where_it_can_its_data_and_every_permission()
    {
        var clone = Directory.CreateTempSubdirectory("clone-"); // 0700, like /root and every mktemp -d
        var before = clone.UnixFileMode;
        var requested = Path.Combine(clone.FullName, ".data", "pg");
        string kept;
        try
        {
            using (var first = LocalPostgres.StartOrReuse(requested))
            {
                kept = first.DataDirectory;
                await Sql(first, "create table kept (id int)");
            }
            using (var again = LocalPostgres.StartOrReuse(requested))
            {
                Assert.Equal(kept, again.DataDirectory);
                Assert.Equal(0L, await Sql(again, "select count(*) from kept"));
            }
            Assert.Equal(before, new DirectoryInfo(clone.FullName).UnixFileMode);
            if (ClusterPlacement.RunningAsRoot)
            {
                Assert.NotEqual(requested, kept);
                Assert.Equal(ClusterPlacement.Relocated(requested), kept);
                Assert.False(Directory.Exists(requested), "nothing is written where postgres cannot reach");
            }
            else Assert.Equal(requested, kept); // the cluster runs as this user, who owns the folder
        }
        finally
        {
            clone.Delete(recursive: true);
            if (ClusterPlacement.RunningAsRoot)
            {
                Directory.Delete(ClusterPlacement.Relocated(requested), recursive: true);
                File.Delete(ClusterPlacement.Relocated(requested) + ".lock"); // ClusterOwnership.Lock, beside the cluster
            }
        }
    }

    [Fact]
    public void a_foreign_folder_is_refused_in_one_line_and_left_as_it_was()
    {
        var dir = Directory.CreateTempSubdirectory("foreign-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "notes.txt"), "mine");
            var e = Assert.Throws<EmbeddedPostgresException>(() => LocalPostgres.StartOrReuse(dir.FullName));
            Assert.Contains("is not empty and holds no PostgreSQL cluster", e.Message);
            Assert.DoesNotContain('\n', e.Message);
            Assert.Equal("mine", File.ReadAllText(Path.Combine(dir.FullName, "notes.txt")));
            Assert.Equal(Environment.UserName, Owner(dir.FullName)); // refused before anything is given to the postgres user
            Assert.False(File.Exists(dir.FullName + ".lock"), "nothing is written beside a refused folder");

            File.WriteAllText(Path.Combine(dir.FullName, "PG_VERSION"), "99\n");
            e = Assert.Throws<EmbeddedPostgresException>(() => LocalPostgres.StartOrReuse(dir.FullName));
            Assert.Contains("the cluster needs PostgreSQL 99", e.Message);
            Assert.Contains("postgresql-99", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void a_port_taken_between_choosing_and_binding_is_retried_and_one_that_stays_taken_is_named()
    {
        var dir = Path.Combine(Path.GetTempPath(), "compliance-pg-port-" + Guid.NewGuid().ToString("N")[..8]);
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var busy = ((IPEndPoint)taken.LocalEndpoint).Port;
        try
        {
            var e = Assert.Throws<EmbeddedPostgresException>(() => LocalPostgres.StartOrReuse(dir, choosePort: () => busy));
            Assert.Contains($"port {busy} on 127.0.0.1 is in use", e.Message);
            Assert.DoesNotContain('\n', e.Message);

            var ports = new Queue<int>([busy, LocalPostgres.FreePort()]);
            using var cluster = LocalPostgres.StartOrReuse(dir, choosePort: ports.Dequeue);
            Assert.NotEqual(busy, cluster.Port);
            Assert.Empty(ports);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            File.Delete(dir + ".lock");
        }
    }

    private static string Owner(string path) => LocalPostgres.Exec("stat", ["-c", "%U", path]).Output.Trim();

    private static async Task<long> Sql(LocalPostgres cluster, string sql)
    {
        await using var conn = new NpgsqlConnection(cluster.ConnectionString());
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync() is long n ? n : 0;
    }
}
