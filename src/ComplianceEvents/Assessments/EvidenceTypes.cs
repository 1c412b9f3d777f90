using System.Globalization;
using System.Text.Json.Serialization;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Assessments;

/// <summary>How strongly an action serves the commitment (DESIGN 1.1 "evidence").</summary>
public enum Strength { Strong, Weak, Contradictory }

/// <summary>
/// The seeds' footnote: title, publisher or author, place, publication date, access date, URL, optional
/// translation note. <paramref name="Published"/> is "yyyy-MM-dd", "yyyy-MM" or "yyyy" as precise as the
/// source is, or null for "n.d."; <paramref name="Accessed"/> is null only where the source lost it.
/// </summary>
public sealed record Citation(string Title, string Publisher, string? Place, string? Published, DateOnly? Accessed,
    string Url, string? Translation = null)
{
    public const string PublishedPattern = JsonLimits.PartialDate;

    /// <summary>The first day the publication date allows ("2024-07" -> 1 July 2024), or null for n.d.</summary>
    [JsonIgnore]
    public DateOnly? PublishedEarliest => Published switch
    {
        null => null,
        { Length: 10 } p => DateOnly.ParseExact(p, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        { Length: 7 } p => DateOnly.ParseExact(p + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture),
        var p => new DateOnly(int.Parse(p, CultureInfo.InvariantCulture), 1, 1),
    };

    /// <summary>DESIGN 1.2 rule 1: an access date before the (earliest possible) publication date is suspect.</summary>
    [JsonIgnore]
    public bool AccessedBeforePublished => Accessed is { } a && PublishedEarliest is { } p && a < p;

    public static bool IsValidPublished(string? published) =>
        published is null || (System.Text.RegularExpressions.Regex.IsMatch(published, PublishedPattern)
            && DateOnly.TryParseExact(published.Length switch { 10 => published, 7 => published + "-01", _ => published + "-01-01" },
                "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
}
