using JasperFx.CommandLine;

namespace ComplianceEvents.Infrastructure.Auth;

/// <summary>No host options: the command runs without a host (CliHost.RunWithoutHost).</summary>
public sealed class TokenInput
{
    [Description("User id: the token's subject, recorded on every event")]
    public string User { get; set; } = "";

    [Description("Role(s), comma-separated: analyst, lead-analyst, compliance-director, editor, viewer")]
    public string RoleFlag { get; set; } = "";

    [Description("Scope lead-analyst / compliance-director to one commitment: <cycle>/<commitment>, e.g. 2024-apulia/19")]
    public string? CommitmentFlag { get; set; }

    [Description("Lifetime in hours (default 12)")]
    public int HoursFlag { get; set; } = 12;
}

[Description("Mint a signed development token (key generated at first run into .data/keys, or Auth:SigningKey)", Name = "token")]
public sealed class TokenCommand : JasperFxCommand<TokenInput>
{
    public static readonly string Problem = $"token: give a user and --role from {string.Join(", ", Roles.All)}";

    public TokenCommand() => Usage("Mint a token").Arguments(x => x.User);

    public override bool Execute(TokenInput input)
    {
        var roles = input.RoleFlag.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = roles.Where(r => !Roles.All.Contains(r)).ToList();
        if (string.IsNullOrWhiteSpace(input.User) || roles.Length == 0 || unknown.Count > 0)
        {
            Console.Error.WriteLine(Problem + (unknown.Count > 0 ? $" (unknown: {string.Join(", ", unknown)})" : ""));
            return false;
        }
        if (input.CommitmentFlag is { } c && !System.Text.RegularExpressions.Regex.IsMatch(c, "^[a-z0-9-]+/[a-z0-9-]+$"))
        {
            Console.Error.WriteLine("token: --commitment is <cycle>/<commitment>, e.g. 2024-apulia/19");
            return false;
        }
        // The host's own configuration sources (the working directory's appsettings.json, environment, command line), without
        // starting the host and its database: a token minted here is signed with the key the host will check.
        var settings = AuthSettings.From(CliHost.HostConfiguration());
        CliHost.Out.WriteLine(DevTokens.Mint(settings, input.User, roles, input.CommitmentFlag, TimeSpan.FromHours(input.HoursFlag)));
        return true;
    }
}
