namespace ComplianceEvents.Infrastructure;

/// <summary>Who issues a command: made by the entry point (token, --user, queue identity, import step), passed on typed.</summary>
public sealed record Actor(string UserId, IReadOnlyList<string> Roles)
{
    /// <summary>Normalised where every actor is made (JWT subject, CLI --user, queue identity, import steps): DESIGN 1.2 rule 10.</summary>
    public string UserId { get; init; } = UserIds.Normalise(UserId);

    /// <summary>The entry point that vouches for this actor when it is not the user themself, e.g. "queue:compliance-commands".</summary>
    public string? Via { get; init; }

    /// <summary>
    /// False for a service identity bound to a queue that is not allowed to approve, return or reject
    /// (Integration:Inbound:AllowApprovals): the review rule refuses it whatever roles it holds.
    /// </summary>
    public bool ReviewsAllowed { get; init; } = true;

    public bool HasRole(string role) => Roles.Contains(role, StringComparer.OrdinalIgnoreCase);

    /// <summary>A cycle-wide compliance director: sets up cycles and commitments, reviews everywhere.</summary>
    public bool IsDirector => HasRole(Infrastructure.Roles.ComplianceDirector);

    /// <summary>May record evidence and propose scores (DESIGN 1.2 rule 10).</summary>
    public bool CanAnalyse => HasRole(Infrastructure.Roles.Analyst) || HasRole(Infrastructure.Roles.LeadAnalyst) || IsDirector;

    public RuleViolation? RequireDirector(string action) => IsDirector ? null
        : RuleViolation.Forbidden("role-required", $"Only a compliance director may {action}.");
}

/// <summary>
/// DESIGN 1.2 rule 10: user ids are compared in one normalised form. Surrounding space is dropped when an id is
/// stored; case is kept for display (reports print the names datasets give) and ignored by every comparison, so
/// "Both" and "both" are one person, in new events and in events stored before ids were normalised alike.
/// </summary>
public static class UserIds
{
    public static readonly StringComparer Comparer = StringComparer.OrdinalIgnoreCase;

    public static string Normalise(string userId) => (userId ?? "").Trim();

    public static string? NormaliseOptional(string? userId) => userId is null ? null : Normalise(userId);

    /// <summary>The one form an id is compared in (and keys receipts by).</summary>
    public static string Key(string userId) => Normalise(userId).ToUpperInvariant();

    public static bool Same(string? a, string? b) => a is not null && b is not null && Comparer.Equals(Normalise(a), Normalise(b));
}

/// <summary>Role names of DESIGN 1.2 rule 10.</summary>
public static class Roles
{
    public const string Analyst = "analyst";
    public const string LeadAnalyst = "lead-analyst";
    public const string ComplianceDirector = "compliance-director";
    public const string Editor = "editor";
    public const string Viewer = "viewer";

    public static readonly IReadOnlyList<string> All = [Analyst, LeadAnalyst, ComplianceDirector, Editor, Viewer];

    /// <summary>A role held for one commitment only, e.g. "lead-analyst@2024-apulia/19".</summary>
    public static string Scoped(string role, string cycleId, string commitmentId) => $"{role}@{cycleId}/{commitmentId}";
}
