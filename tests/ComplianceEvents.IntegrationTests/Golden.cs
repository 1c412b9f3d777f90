using System.Runtime.CompilerServices;

namespace ComplianceEvents.IntegrationTests;

/// <summary>
/// Golden files with Verify's conventions (Verify.Xunit is not on the registry here, docs/dependencies.md):
/// <c>&lt;name&gt;.verified.&lt;ext&gt;</c> beside the test is the contract; on a mismatch the actual text is
/// written to <c>&lt;name&gt;.received.&lt;ext&gt;</c> and the test fails. Accept a change by replacing the verified file.
/// </summary>
public static class Golden
{
    public static void Verify(string name, string actual, string extension, [CallerFilePath] string testFile = "")
    {
        var dir = Path.GetDirectoryName(testFile)!;
        var verified = Path.Combine(dir, $"{name}.verified.{extension}");
        var received = Path.Combine(dir, $"{name}.received.{extension}");
        var expected = File.Exists(verified) ? File.ReadAllText(verified) : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        var firstDiff = expected is null ? -1 : Enumerable.Range(0, Math.Min(expected.Length, actual.Length)).FirstOrDefault(i => expected[i] != actual[i], Math.Min(expected.Length, actual.Length));
        throw new Xunit.Sdk.XunitException(expected is null
            ? $"No verified file {verified}; the output was written to {received}. Review it and rename it to accept."
            : $"{name} differs from {verified} at character {firstDiff}: see {received}.");
    }
}
