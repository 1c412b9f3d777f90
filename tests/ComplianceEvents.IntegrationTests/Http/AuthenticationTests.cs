using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ComplianceEvents.Infrastructure;
using ComplianceEvents.Infrastructure.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace ComplianceEvents.IntegrationTests.Http;

public sealed class AuthenticationTests(AppFixture app) : HostTest(app)
{
    [Fact]
    public async Task a_token_signed_with_another_key_is_a_401_saying_so_and_where_this_hosts_key_is()
    {
        var mine = App.Factory.Services.GetRequiredService<AuthSettings>();
        var elsewhere = mine with { SigningKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) };
        var client = App.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DevTokens.Mint(elsewhere, "bob",
            [Roles.Analyst]));

        var response = await client.GetAsync("/cycles/2024-apulia");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The bearer token is signed with another key than this host's (Auth:SigningKey from configuration); mint one with " +
            "this host's key.",
            problem.GetProperty("detail").GetString());

        var anonymous = await App.Factory.CreateClient().GetAsync("/cycles/2024-apulia");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
    }
}
