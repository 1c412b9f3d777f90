using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace ComplianceEvents.Infrastructure.Auth;

/// <summary>
/// JWT bearer settings. Production configures Auth:Issuer, Auth:Audience and Auth:SigningKey (base64, at
/// least 256 bits); without a signing key the host generates a development key at first run into
/// .data/keys (ignored by git), so no secret is ever committed.
/// </summary>
public sealed record AuthSettings(string Issuer, string Audience, SymmetricSecurityKey SigningKey, string KeySource)
{
    public const string DefaultIssuer = "compliance-events-dev";
    public const string DefaultAudience = "compliance-events";

    public static AuthSettings From(IConfiguration configuration)
    {
        var issuer = configuration["Auth:Issuer"] ?? DefaultIssuer;
        var audience = configuration["Auth:Audience"] ?? DefaultAudience;
        if (configuration["Auth:SigningKey"] is { Length: > 0 } configured)
            return new AuthSettings(issuer, audience, Key(Convert.FromBase64String(configured), "Auth:SigningKey"), "configuration");

        var (bytes, file) = KeyFiles.ReadOrCreate(configuration, "dev-signing-key");
        return new AuthSettings(issuer, audience, Key(bytes, file), file);
    }

    private static SymmetricSecurityKey Key(byte[] bytes, string source) =>
        bytes.Length >= 32 ? new SymmetricSecurityKey(bytes)
            : throw new InvalidOperationException($"The signing key from {source} is {bytes.Length * 8} bits; HS256 needs at least 256.");

    public TokenValidationParameters Validation => new()
    {
        ValidIssuer = Issuer, ValidAudience = Audience, IssuerSigningKey = SigningKey,
        ValidateIssuer = true, ValidateAudience = true, ValidateIssuerSigningKey = true, ValidateLifetime = true,
        NameClaimType = "sub", RoleClaimType = "role", ClockSkew = TimeSpan.FromSeconds(30),
    };
}

public static class AuthSetup
{
    public static WebApplicationBuilder AddComplianceAuth(this WebApplicationBuilder builder)
    {
        var settings = AuthSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = settings.Validation;
            o.Events = new JwtBearerEvents
            {
                // 401 as problem details, like every other error (RFC 9457); the WWW-Authenticate challenge stays (RFC 6750).
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null ? "Bearer" : "Bearer " +
                        "error=\"invalid_token\"";
                    await Problems.Problem(context.HttpContext, StatusCodes.Status401Unauthorized, "authentication-required",
                            ChallengeDetail(context.AuthenticateFailure, settings), [])
                        .ExecuteAsync(context.HttpContext);
                },
            };
        });
        builder.Services.AddAuthorization();
        return builder;
    }

    /// <summary>A token minted in another directory (another .data/keys) is the usual local cause: say so, and where this host's key
    /// is.</summary>
    internal static string ChallengeDetail(Exception? failure, AuthSettings settings) => failure switch
    {
        null => "Send a bearer token (Authorization: Bearer <jwt>).",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            $"The bearer token is signed with another key than this host's ({KeyDescription(settings)}); mint one with this host's key.",
        SecurityTokenExpiredException => "The bearer token has expired; mint a new one.",
        _ => "The bearer token is not valid.",
    };

    private static string KeyDescription(AuthSettings settings) =>
        settings.KeySource == "configuration" ? "Auth:SigningKey from configuration" : $"the development key in {settings.KeySource}";
}
