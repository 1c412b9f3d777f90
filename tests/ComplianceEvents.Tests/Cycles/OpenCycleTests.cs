using ComplianceEvents.Cycles;
using ComplianceEvents.Cycles.OpeningCycle;
using ComplianceEvents.Infrastructure;

namespace ComplianceEvents.Tests.Cycles;

public sealed class OpenCycleTests
{
    private static readonly OpenCycle Taormina = new("2017-taormina", "G7 Taormina Summit", "Taormina", "Italy",
        new DateOnly(2017, 5, 26), new DateOnly(2017, 5, 27),
        [new("CA", "Canada"), new("FR", "France"), new("DE", "Germany"), new("IT", "Italy"),
         new("JP", "Japan"), new("UK", "United Kingdom"), new("US", "United States"), new("EU", "European Union")]);

    private static readonly OpenCycle.Validator Validator = new();

    [Fact]
    public void a_well_formed_cycle_passes_validation() => Assert.True(Validator.Validate(Taormina).IsValid);

    [Theory]
    [InlineData("2017 Taormina")]
    [InlineData("2017--taormina")]
    [InlineData("-taormina")]
    [InlineData("")]
    public void a_cycle_id_that_is_not_a_slug_is_refused(string id)
    {
        var result = Validator.Validate(Taormina with { CycleId = id });
        Assert.Contains(result.Errors, e => e.PropertyName == nameof(OpenCycle.CycleId));
    }

    [Fact]
    public void duplicate_member_codes_and_bad_codes_are_refused()
    {
        var result = Validator.Validate(Taormina with { Members = [new("CA", "Canada"), new("CA", "Canada again"), new("ca", "lower")] });
        Assert.Contains(result.Errors, e => e.ErrorCode == "UniqueMemberCodes");
        Assert.Contains(result.Errors, e => e.PropertyName == "Members[2].Code");
    }

    [Fact]
    public void a_summit_ending_before_it_starts_is_refused()
    {
        var result = Validator.Validate(Taormina with { SummitEnd = new DateOnly(2017, 5, 1) });
        Assert.Contains(result.Errors, e => e.PropertyName == nameof(OpenCycle.SummitEnd));
    }

    [Fact]
    public void opening_keeps_the_members_in_the_given_order()
    {
        var opened = OpenCycleHandler.Decide(Taormina with { Members = [new("US", "United States"), new("CA", " Canada ")] });
        Assert.Equal(["US", "CA"], opened.Members.Select(m => m.Code));
        Assert.Equal("Canada", opened.Members[1].Name);
    }

    [Fact]
    public void an_existing_cycle_is_a_conflict_on_the_cycle_id()
    {
        var existing = Cycle.Create(OpenCycleHandler.Decide(Taormina));
        var director = new Actor("dana", [Roles.ComplianceDirector]);
        var violation = OpenCycleHandler.Check(existing, Taormina, director);
        Assert.NotNull(violation);
        Assert.Equal(Outcome.Conflict, violation.Outcome);
        Assert.Equal("cycleId", violation.Field);
        Assert.Null(OpenCycleHandler.Check(null, Taormina, director));
    }

    [Fact]
    public void only_a_compliance_director_opens_a_cycle()
    {
        var violation = OpenCycleHandler.Check(null, Taormina, new Actor("ann", [Roles.Analyst, Roles.Editor]));
        Assert.Equal(Outcome.Forbidden, violation?.Outcome);
    }
}
