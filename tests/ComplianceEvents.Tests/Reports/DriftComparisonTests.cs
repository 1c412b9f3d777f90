using ComplianceEvents.Reports.CheckingDrift;

namespace ComplianceEvents.Tests.Reports;

/// <summary>The drift check's comparison: jsonb reorders object keys, so equal documents must compare equal whatever their key
/// order.</summary>
public sealed class DriftComparisonTests
{
    [Fact]
    public void documents_that_differ_only_in_key_order_are_equal() =>
        Assert.Equal(ReadModelDrift.Canonical("""{"NotApplicable":{"UK":"a","DE":"b"},"Id":"x","List":[{"b":1,"a":2}]}"""),
            ReadModelDrift.Canonical("""{"Id":"x","List":[{"a":2,"b":1}],"NotApplicable":{"DE":"b","UK":"a"}}"""));

    [Fact]
    public void array_order_and_values_still_count() =>
        Assert.NotEqual(ReadModelDrift.Canonical("""{"List":[1,2]}"""), ReadModelDrift.Canonical("""{"List":[2,1]}"""));

    [Fact]
    public void the_first_difference_names_where_the_json_parts()
    {
        var where = ReadModelDrift.FirstDifference("""{"Score":1,"Id":"a"}""", """{"Score":0,"Id":"a"}""");
        Assert.StartsWith("at character 9:", where);
        Assert.Contains("""stored …{"Score":1""", where);
        Assert.Contains("""the events give …{"Score":0""", where);
    }
}
