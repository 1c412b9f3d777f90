using System.Security.Cryptography;

namespace ComplianceEvents.Infrastructure;

/// <summary>
/// The host's key directory (Auth:KeyDirectory, or .data/keys in the working directory; ignored by git): development keys
/// are generated there at first run, 256 random bits each, readable by the owner only, so no secret is ever committed.
/// </summary>
public static class KeyFiles
{
    public static string Directory(IConfiguration configuration) =>
        configuration["Auth:KeyDirectory"] ?? Path.Combine(System.IO.Directory.GetCurrentDirectory(), ".data", "keys");

    /// <summary>The key in the named file of the key directory, created first if it does not exist.</summary>
    public static (byte[] Key, string File) ReadOrCreate(IConfiguration configuration, string name)
    {
        var dir = Directory(configuration);
        var file = Path.Combine(dir, name);
        if (!File.Exists(file))
        {
            System.IO.Directory.CreateDirectory(dir);
            // Created and written in one step, never readable by others, and never overwritten by a process racing this one.
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using var stream = new FileStream(file, options);
                using var writer = new StreamWriter(stream);
                writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            }
            catch (IOException) when (File.Exists(file)) { }
        }
        return (Convert.FromBase64String(File.ReadAllText(file).Trim()), file);
    }
}
