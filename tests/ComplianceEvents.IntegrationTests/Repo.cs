namespace ComplianceEvents.IntegrationTests;

/// <summary>Files of the repository the tests read (datasets, golden files).</summary>
public static class Repo
{
    public static readonly string Root = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ComplianceEvents.sln"))) return dir.FullName;
        throw new InvalidOperationException("ComplianceEvents.sln not found above " + AppContext.BaseDirectory);
    }
}
