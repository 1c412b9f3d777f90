using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Tests.Infrastructure;

public sealed class FieldNamesTests
{
    [Theory]
    [InlineData("CycleId", "cycleId")]
    [InlineData("Members[0].Code", "members[0].code")]
    public void validator_paths_become_the_json_names_clients_send(string path, string expected) =>
        Assert.Equal(expected, CommandRunner.FieldPath(path));

    [Theory]
    [InlineData("NotEmptyValidator", "NotEmpty")]
    [InlineData("UniqueMemberCodes", "UniqueMemberCodes")]
    public void validator_error_codes_become_rule_names(string code, string expected) =>
        Assert.Equal(expected, CommandRunner.RuleName(code));
}
