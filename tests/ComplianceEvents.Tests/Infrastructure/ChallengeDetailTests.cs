using ComplianceEvents.Infrastructure.Auth;
using Microsoft.IdentityModel.Tokens;

namespace ComplianceEvents.Tests.Infrastructure;

public sealed class ChallengeDetailTests
{
    private static readonly AuthSettings FromFile = new("i", "a", new SymmetricSecurityKey(new byte[32]),
        "/home/ana/clone/.data/keys/dev-signing-key");

    [Fact]
    public void a_signature_from_another_key_names_the_key_file_of_this_host()
    {
        foreach (var failure in new Exception[] { new SecurityTokenSignatureKeyNotFoundException(),
            new SecurityTokenInvalidSignatureException() })
            Assert.Equal("The bearer token is signed with another key than this host's (the development key in " +
                "/home/ana/clone/.data/keys/dev-signing-key); " +
                "mint one with this host's key.", AuthSetup.ChallengeDetail(failure, FromFile));
    }

    [Fact]
    public void no_token_an_expired_one_and_other_failures_each_say_what_to_do()
    {
        Assert.Equal("Send a bearer token (Authorization: Bearer <jwt>).", AuthSetup.ChallengeDetail(null, FromFile));
        Assert.Equal("The bearer token has expired; mint a new one.", AuthSetup.ChallengeDetail(new SecurityTokenExpiredException(),
            FromFile));
        Assert.Equal("The bearer token is not valid.", AuthSetup.ChallengeDetail(new SecurityTokenInvalidAudienceException(), FromFile));
    }
}
