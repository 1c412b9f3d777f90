using System.Globalization;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// The embedded cluster's port is part of the address integrators configure (docs/integration.md, "Connecting to the
/// host"), so it must not move between starts: chosen once (a free loopback port) or set by <c>Embedded:Port</c>, and
/// remembered in <c>embedded-port</c> in the data directory. A remembered or configured port that another process holds
/// is refused by name, never silently replaced, since every client would be stranded on the old one.
/// </summary>
public static class ClusterPort
{
    public const string Setting = "Embedded:Port";
    public const string EnvironmentVariable = "Embedded__Port";
    public const string FileName = "embedded-port";

    /// <summary>The port <c>Embedded:Port</c> sets; null when unset; a value that is no TCP port is refused in one line.</summary>
    public static int? Configured(IConfiguration configuration)
    {
        if (configuration[Setting] is not { Length: > 0 } text) return null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536 ? port
            : throw new EmbeddedPostgresException($"{Setting} (or {EnvironmentVariable}) is \"{text}\", not a TCP port from 1 to 65535");
    }

    public static int? Remembered(string dataDirectory)
    {
        var file = Path.Combine(dataDirectory, FileName);
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    public static void Remember(string dataDirectory, int port)
    {
        if (Remembered(dataDirectory) != port)
            File.WriteAllText(Path.Combine(dataDirectory, FileName), port.ToString(CultureInfo.InvariantCulture) + "\n");
    }

    /// <summary>Where a fixed port comes from, for the line that refuses it.</summary>
    public static string Source(string dataDirectory, bool configured) =>
        configured ? $"set by {Setting}" : $"remembered in {Path.Combine(dataDirectory, FileName)}";
}
