using System.Security.Cryptography;
using System.Text;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// Where a local cluster's files live. PostgreSQL refuses to run as root, so a root process runs the server as the
/// <c>postgres</c> user, who must be able to traverse every folder above the data directory. A root user's clone
/// usually sits where it cannot (<c>/root</c> and every <c>mktemp -d</c> are 0700): the cluster is then kept in the
/// <c>postgres</c> user's home, in a folder named after the requested path, and the user's own folders keep their
/// permissions.
/// </summary>
public static class ClusterPlacement
{
    public const string ServerUser = "postgres";

    public static bool RunningAsRoot => Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root";

    /// <summary>The directory the cluster of <paramref name="requested"/> lives in: the same one unless postgres cannot reach it.</summary>
    public static string For(string requested)
    {
        if (!RunningAsRoot || File.Exists(Path.Combine(requested, "PG_VERSION"))) return requested;
        var parent = Path.GetDirectoryName(requested) ?? "/";
        CreateDirectory(parent);
        if (!CanTraverse(parent)) return Relocated(requested);
        // A cluster kept elsewhere once stays there, even after the folders above become reachable.
        return ServerUserHome() is { } home && File.Exists(Path.Combine(Relocated(requested, home), "PG_VERSION"))
            ? Relocated(requested, home) : requested;
    }

    /// <summary>Where the cluster of <paramref name="requested"/> is, creating nothing (<c>cluster status</c>): the relocated
    /// folder when only that one holds a cluster.</summary>
    public static string Find(string requested) =>
        !File.Exists(Path.Combine(requested, "PG_VERSION")) && RunningAsRoot && ServerUserHome() is { } home
            && File.Exists(Path.Combine(Relocated(requested, home), "PG_VERSION")) ? Relocated(requested, home) : requested;

    /// <summary>&lt;postgres home&gt;/compliance-events/&lt;folder above .data&gt;-&lt;hash of the requested path&gt;.</summary>
    public static string Relocated(string requested, string? home = null)
    {
        home ??= ServerUserHome() ?? throw new EmbeddedPostgresException(
            $"{ServerUser} cannot reach {requested} and has no home directory to keep the cluster in; set Embedded__DataDirectory to a " +
                $"folder {ServerUser} can reach");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(requested)))[..12];
        var project = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(requested)) ?? "") is { Length: > 0 } p ? p : "root";
        return Path.Combine(home, "compliance-events", $"{project}-{hash}");
    }

    public static void CreateDirectory(string directory)
    {
        try { Directory.CreateDirectory(directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EmbeddedPostgresException($"cannot create {directory}: {e.Message}");
        }
    }

    private static bool CanTraverse(string directory) =>
        LocalPostgres.Exec("runuser", ["-u", ServerUser, "--", "test", "-x", directory]).ExitCode == 0;

    private static string? ServerUserHome()
    {
        if (!File.Exists("/etc/passwd")) return null;
        var entry = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 5 && f[0] == ServerUser);
        return entry is not null && Directory.Exists(entry[5]) ? entry[5] : null;
    }
}

/// <summary>A cause the embedded default can name: the host prints the message as one line and exits non-zero.</summary>
public sealed class EmbeddedPostgresException(string message) : Exception(message);
