using FluentValidation;

namespace ComplianceEvents.Commitments;

/// <summary>The texts and optional dimension rules of a rubric version, as commands carry them.</summary>
public sealed record RubricInput(string Minus1, string Zero, string Plus1, IReadOnlyList<DimensionRule>? DimensionRules = null)
{
    public Rubric ToRubric(int version) =>
        new(version, Minus1.Trim(), Zero.Trim(), Plus1.Trim(), DimensionRules ?? []);

    public sealed class Validator : AbstractValidator<RubricInput>
    {
        public Validator()
        {
            RuleFor(r => r.Minus1).NotEmpty().MaximumLength(4000);
            RuleFor(r => r.Zero).NotEmpty().MaximumLength(4000);
            RuleFor(r => r.Plus1).NotEmpty().MaximumLength(4000);
            RuleForEach(r => r.DimensionRules).ChildRules(rule =>
            {
                rule.RuleFor(x => x.Score).InclusiveBetween(-1, 1).WithMessage("A rule's score is -1, 0 or +1.");
                rule.RuleFor(x => x.When).NotNull();
                rule.RuleFor(x => x.When).Must(w => w is null || w.Bounds.All(b => (b.Min ?? 0) >= 0 && (b.Max ?? 0) >= 0))
                    .WithErrorCode("NonNegativeBounds").WithMessage("Dimension counts cannot be negative.");
                rule.RuleFor(x => x.When).Must(w => w is null || w.Bounds.All(b => b.Min is null || b.Max is null || b.Min <= b.Max))
                    .WithErrorCode("MinNotAboveMax").WithMessage("A minimum cannot exceed its maximum.");
            });
        }
    }

    /// <summary>Rules that need the commitment: counts cannot exceed its number of dimensions.</summary>
    public Infrastructure.RuleViolation? CheckAgainst(Commitment commitment)
    {
        var rules = DimensionRules ?? [];
        if (rules.Count > 0 && commitment.Dimensions.Count == 0)
            return Infrastructure.RuleViolation.Rejected("no-dimensions",
                "Dimension rules need a commitment with dimensions; this commitment has none.", "rubric.dimensionRules");
        var tooHigh = rules.SelectMany(r => r.When.Bounds).Any(b => (b.Min ?? 0) > commitment.Dimensions.Count);
        return tooHigh
            ? Infrastructure.RuleViolation.Rejected("bound-exceeds-dimensions",
                $"A rule asks for more dimensions than the commitment's {commitment.Dimensions.Count}.", "rubric.dimensionRules")
            : null;
    }
}
