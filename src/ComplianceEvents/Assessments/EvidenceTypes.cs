namespace ComplianceEvents.Assessments;

/// <summary>How strongly an action serves the commitment (DESIGN 1.1 "evidence").</summary>
public enum Strength { Strong, Weak, Contradictory }

/// <summary>
/// The seeds' footnote: title, publisher or author, place, publication date (null = "n.d."), access date,
/// URL, optional translation note.
/// </summary>
public sealed record Citation(string Title, string Publisher, string? Place, DateOnly? Published, DateOnly Accessed,
    string Url, string? Translation = null)
{
    /// <summary>DESIGN 1.2 rule 1: an access date before the publication date is suspect.</summary>
    public bool AccessedBeforePublished => Published is { } p && Accessed < p;
}
