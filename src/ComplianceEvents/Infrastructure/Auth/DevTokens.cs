using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ComplianceEvents.Infrastructure.Auth;

/// <summary>Signed tokens for local use and tests; the subject becomes the acting user of every event.</summary>
public static class DevTokens
{
    /// <summary>
    /// With a commitment ("2024-apulia/19"), lead-analyst and compliance-director are granted for that
    /// commitment only ("lead-analyst@2024-apulia/19"); other roles stay as given.
    /// </summary>
    public static string Mint(AuthSettings settings, string user, IEnumerable<string> roles, string? commitment = null, TimeSpan? lifetime = null)
    {
        var claims = new List<Claim> { new("sub", user) };
        foreach (var role in roles)
        {
            var scoped = commitment is not null && role is Roles.LeadAnalyst or Roles.ComplianceDirector ? $"{role}@{commitment}" : role;
            claims.Add(new Claim("role", scoped));
        }
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Subject = new ClaimsIdentity(claims),
            Expires = DateTime.UtcNow + (lifetime ?? TimeSpan.FromHours(12)),
            SigningCredentials = new SigningCredentials(settings.SigningKey, SecurityAlgorithms.HmacSha256),
        });
    }

    public static Actor? ActorOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.FindFirst("sub")?.Value is { Length: > 0 } sub
            ? new Actor(sub, user.FindAll("role").Select(c => c.Value).ToList())
            : null;
}
