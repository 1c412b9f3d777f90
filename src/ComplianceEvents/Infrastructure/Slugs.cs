namespace ComplianceEvents.Infrastructure;

public static class Slugs
{
    public const string Pattern = "^[a-z0-9]+(-[a-z0-9]+)*$";
    public const string Message = "Must be a lowercase slug of letters, digits and single hyphens, e.g. 2024-apulia.";
}
