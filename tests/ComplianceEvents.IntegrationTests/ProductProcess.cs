using System.Diagnostics;

namespace ComplianceEvents.IntegrationTests;

/// <summary>Runs the built ComplianceEvents.dll as a separate process, the way a user runs a command.</summary>
public static class ProductProcess
{
    public static async Task<(int Exit, string Out, string Err)> Run(string workingDirectory, IReadOnlyDictionary<string,
        string?> environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = workingDirectory };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ComplianceEvents.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The test run's own settings (COMPLIANCE_TEST_DB, a developer's ConnectionStrings__Marten) must not leak in.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings__") || k.StartsWith("Auth__")
            || k.StartsWith("Embedded__")).ToList())
            psi.Environment.Remove(key);
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (p.ExitCode, await stdout, await stderr);
    }
}
