using System.Globalization;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// Who stops the embedded cluster. PostgreSQL outlives a host killed with SIGKILL, and the next process finds it running:
/// without a record of its starter, nobody would ever stop it. The starter is written to <c>embedded-owner</c> in the data
/// directory as its pid and its start time (field 22 of <c>/proc/&lt;pid&gt;/stat</c>), so a recycled pid is not taken for
/// the dead owner; the owner stops the cluster on its shutdown. A process that finds the owner gone takes ownership over, and
/// a server takes it from a live CLI command too (the command would otherwise stop the cluster under the server).
/// </summary>
public static class ClusterOwnership
{
    public const string OwnerFile = "embedded-owner";

    /// <summary>This process, as the owner file records it.</summary>
    public static ClusterOwner Me(bool server) => new(Environment.ProcessId, StartTime(Environment.ProcessId) ?? 0, server);

    public static ClusterOwner? Read(string dataDirectory)
    {
        var file = Path.Combine(dataDirectory, OwnerFile);
        if (!File.Exists(file)) return null;
        var parts = File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 3 && int.TryParse(parts[0], out var pid) && long.TryParse(parts[1], out var started)
            ? new ClusterOwner(pid, started, parts[2] == "server") : null;
    }

    public static void Write(string dataDirectory, ClusterOwner owner) =>
        File.WriteAllText(Path.Combine(dataDirectory, OwnerFile),
            string.Create(CultureInfo.InvariantCulture, $"{owner.Pid} {owner.StartTime} {(owner.Server ? "server" : "command")}\n"));

    public static void Clear(string dataDirectory) => File.Delete(Path.Combine(dataDirectory, OwnerFile));

    /// <summary>Clock ticks after boot at which the process started; null when no such process lives.</summary>
    internal static long? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields are counted after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // A zombie (state Z) has exited and only waits for its parent to read its status.
            return fields[0] != "Z" && long.TryParse(fields[19], CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// Serialises starting, taking over and stopping between processes of one data directory (a server starting while a
    /// command stops the cluster). An exclusive lock on a file beside the data directory, which must be empty for initdb.
    /// </summary>
    public static IDisposable Lock(string dataDirectory)
    {
        var path = dataDirectory.TrimEnd('/') + ".lock";
        var until = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < until)
            {
                Thread.Sleep(100); // another process starts or stops this cluster (pg_ctl waits up to 60 s)
            }
            catch (IOException e)
            {
                throw new EmbeddedPostgresException($"{path} stayed locked for 120 s by another process of this cluster: {e.Message}");
            }
        }
    }
}

/// <summary>The process that stops the cluster: a server, or a CLI command that found none running.</summary>
public sealed record ClusterOwner(int Pid, long StartTime, bool Server)
{
    /// <summary>False once the process is gone, including when its pid now belongs to another process.</summary>
    public bool IsAlive => ClusterOwnership.StartTime(Pid) == StartTime;

    public bool IsMe => Pid == Environment.ProcessId && IsAlive;

    public override string ToString() => $"{(Server ? "server" : "command")} pid {Pid}";
}
