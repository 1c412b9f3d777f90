using System.Globalization;
using ComplianceEvents.Assessments;

namespace ComplianceEvents.Reports.Rendering;

/// <summary>
/// Plain-text phrases every renderer prints the same way, in the seeds' wording. Deterministic: invariant
/// culture, no clock. Callers escape the result for their own format.
/// </summary>
public static class Wording
{
    /// <summary>"15 June 2024".</summary>
    public static string Day(DateOnly day) => day.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>"2024-07-12" -> "12 July 2024", "2024-07" -> "July 2024", "2024" -> "2024", null -> "n.d.".</summary>
    public static string Published(string? published)
    {
        if (published is null) return "n.d.";
        var formats = published.Length switch { 10 => ("yyyy-MM-dd", "d MMMM yyyy"), 7 => ("yyyy-MM", "MMMM yyyy"), _ => ("yyyy", "yyyy") };
        return DateTime.TryParseExact(published, formats.Item1, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date.ToString(formats.Item2, CultureInfo.InvariantCulture)
            : published;
    }

    /// <summary>
    /// The seeds' footnote: "{Title}, {Publisher} ({Place}) {published}. {Translation} Access Date: {accessed}. {Url}".
    /// The place, translation note and access date are left out when missing; the URL always comes last.
    /// </summary>
    public static string Citation(Citation c)
    {
        var place = c.Place is { Length: > 0 } p ? $" ({p})" : "";
        var translation = c.Translation is { Length: > 0 } t ? $" {t.Trim()}" : "";
        var accessed = c.Accessed is { } a ? $" Access Date: {Day(a)}." : "";
        return $"{c.Title}, {c.Publisher}{place} {Published(c.Published)}{(Published(c.Published).EndsWith('.') ? "" : ".")}{translation}{accessed} {c.Url}";
    }

    /// <summary>"Analyst: A", "Analysts: A and B", "Analysts: A, B and C"; empty for no analysts.</summary>
    public static string Analysts(IReadOnlyList<string> analysts) => analysts.Count switch
    {
        0 => "",
        1 => $"Analyst: {analysts[0]}",
        _ => $"Analysts: {string.Join(", ", analysts.Take(analysts.Count - 1))} and {analysts[^1]}",
    };

    /// <summary>A member's name inside a sentence: "the United Kingdom", "the European Union", "Canada".</summary>
    public static string MemberInSentence(string name) =>
        name.StartsWith("United ", StringComparison.Ordinal) || name.StartsWith("European ", StringComparison.Ordinal) ? $"the {name}" : name;

    /// <summary>"Thus, Canada receives a score of 0." (or the not-applicable / not-yet-scored equivalent).</summary>
    public static string Thus(MemberSection x) =>
        x.NotApplicable ? $"Thus, this commitment does not apply to {MemberInSentence(x.Member.Name)}."
        : x.Score is null ? $"Thus, {MemberInSentence(x.Member.Name)} has not yet received a score."
        : $"Thus, {MemberInSentence(x.Member.Name)} receives a score of {x.Display}.";
}
