using ComplianceEvents.Cycles;
using ComplianceEvents.Infrastructure;
using FluentValidation;

namespace ComplianceEvents.Assessments;

/// <summary>The content shared by recording and amending evidence.</summary>
public interface IEvidenceContent
{
    DateOnly ActionDate { get; }
    string Summary { get; }
    IReadOnlyList<string>? Dimensions { get; }
    Strength? Strength { get; }
    IReadOnlyList<Citation> Citations { get; }
}

public sealed class EvidenceContentValidator : AbstractValidator<IEvidenceContent>
{
    public EvidenceContentValidator()
    {
        RuleFor(e => e.ActionDate).NotEqual(default(DateOnly)).WithMessage("'Action Date' is required.");
        RuleFor(e => e.Summary).NotEmpty().MaximumLength(20_000);
        RuleFor(e => e.Strength).IsInEnum();
        // The seeds lost some footnotes in PDF extraction: evidence without a citation is accepted and flagged (never invented).
        RuleFor(e => e.Citations).NotNull();
        RuleForEach(e => e.Citations).ChildRules(c =>
        {
            c.RuleFor(x => x.Title).NotEmpty().MaximumLength(1000);
            c.RuleFor(x => x.Publisher).NotEmpty().MaximumLength(500);
            c.RuleFor(x => x.Published).Must(Citation.IsValidPublished).WithErrorCode("PartialIsoDate")
                .WithMessage("'Published' is yyyy-MM-dd, yyyy-MM or yyyy, or null for n.d.");
            c.RuleFor(x => x.Url).NotEmpty()
                .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && (uri.Scheme == "http" || uri.Scheme == "https"))
                .WithErrorCode("AbsoluteHttpUrl").WithMessage("'Url' must be an absolute http(s) URL.");
        });
    }
}

public static class EvidenceContent
{
    /// <summary>
    /// The text an evidence item counts against its cell's budget (<see cref="Assessment.MaxEvidenceCharacters"/>): each
    /// citation's title, publisher, place, published, url and translation, then the summary as stored (trimmed), in UTF-16
    /// characters (string lengths), with the request field each comes from. The one definition of the count. The summary
    /// comes last so that an item too long for the room left is usually refused naming it.
    /// </summary>
    public static IEnumerable<(string Field, int Characters)> Fields(string summary, IReadOnlyList<Citation> citations)
    {
        for (var i = 0; i < citations.Count; i++)
        {
            var c = citations[i];
            yield return ($"citations[{i}].title", c.Title?.Length ?? 0);
            yield return ($"citations[{i}].publisher", c.Publisher?.Length ?? 0);
            yield return ($"citations[{i}].place", c.Place?.Length ?? 0);
            yield return ($"citations[{i}].published", c.Published?.Length ?? 0);
            yield return ($"citations[{i}].url", c.Url?.Length ?? 0);
            yield return ($"citations[{i}].translation", c.Translation?.Length ?? 0);
        }
        yield return ("summary", summary.Trim().Length);
    }

    public static long Characters(string summary, IReadOnlyList<Citation> citations) =>
        Fields(summary, citations).Sum(f => (long)f.Characters);

    /// <summary>
    /// Refuses content that would take the cell's current evidence over <see cref="Assessment.MaxEvidenceCharacters"/>, naming
    /// the field where the count crosses it. <paramref name="replacing"/> is the item an amendment replaces (its text leaves).
    /// A rule of the cell's own decision, so the stream version check makes it exact under concurrent writers.
    /// </summary>
    public static RuleViolation? CheckBudget(IEvidenceContent content, Cell cell, string? replacing = null)
    {
        var others = cell.State?.CurrentEvidence.Where(e => e.EvidenceId != replacing).Sum(e => e.Characters) ?? 0;
        var total = others;
        foreach (var (field, characters) in Fields(content.Summary, content.Citations))
        {
            total += characters;
            if (total > Assessment.MaxEvidenceCharacters)
                return RuleViolation.Rejected("cell-content-limit", $"The current evidence of a cell holds at most " +
                    $"{Assessment.MaxEvidenceCharacters:N0} characters of text (summary and citations); this cell's other items hold " +
                    $"{others:N0} and this item {Characters(content.Summary, content.Citations):N0}, " +
                    $"over it from '{field}'.", field);
        }
        return null;
    }

    /// <summary>Rules that need the cell: dimension codes must be the commitment's.</summary>
    public static RuleViolation? Check(IEvidenceContent content, Cell cell)
    {
        var known = cell.Commitment.Dimensions.Select(d => d.Code).ToHashSet();
        var unknown = (content.Dimensions ?? []).Where(d => !known.Contains(d)).ToList();
        return unknown.Count == 0 ? null
            : RuleViolation.Rejected("unknown-dimension",
                $"Unknown dimension(s) {string.Join(", ", unknown)}; commitment {cell.Commitment.CommitmentId} has {(known.Count == 0 ? "none" : string.Join(", ", known))}.",
                "dimensions");
    }

    /// <summary>
    /// DESIGN 1.2 rule 1: evidence outside a report window is recorded but flagged, and an access date
    /// before the publication date is suspect. Flags never refuse.
    /// </summary>
    public static IReadOnlyList<string> Flags(IEvidenceContent content, Cell cell)
    {
        var flags = new List<string>();
        foreach (var w in cell.Cycle.Windows.Where(w => !w.Contains(content.ActionDate)))
            flags.Add($"outside-window:{w.Kind.ToString().ToLowerInvariant()} ({content.ActionDate:yyyy-MM-dd} is outside {w.Start:yyyy-MM-dd}..{w.Cutoff:yyyy-MM-dd})");
        if (cell.Cycle.Windows.Count == 0) flags.Add("no-window-set");
        if (content.Citations.Count == 0) flags.Add("no-citation");
        flags.AddRange(content.Citations.Select((c, i) => (c, i)).Where(x => x.c.Accessed is null).Select(x => $"no-access-date:citation-{x.i + 1}"));
        flags.AddRange(content.Citations.Select((c, i) => (c, i)).Where(x => x.c.AccessedBeforePublished)
            .Select(x => $"access-before-publication:citation-{x.i + 1} (accessed {x.c.Accessed:yyyy-MM-dd}, published {x.c.Published})"));
        if (!cell.Commitment.IsApplicable(cell.MemberCode)) flags.Add("member-not-applicable");
        return flags;
    }
}
