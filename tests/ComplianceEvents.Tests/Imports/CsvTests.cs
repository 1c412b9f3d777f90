using ComplianceEvents.Imports;

namespace ComplianceEvents.Tests.Imports;

public sealed class CsvTests
{
    [Fact]
    public void quoted_fields_keep_commas_quotes_and_line_breaks_and_lines_are_counted()
    {
        var records = Csv.Read("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\nlast,row").ToList();
        Assert.Equal([1, 2, 3, 5], records.Select(r => r.Line));
        Assert.Equal(["x, y", "say \"hi\""], records[1].Fields);
        Assert.Equal("two\nlines", records[2].Fields[0]);
        Assert.Equal(["last", "row"], records[3].Fields);
    }

    [Fact]
    public void every_bad_cell_is_reported_with_its_line_and_member()
    {
        var (_, _, errors) = ScoreMatrixImporter.Parse("cycle,commitment,area,text,CA,FR\n2013-x,1,A,T,+2,0\n2013-x,2,A,T,1,yes\n");
        Assert.Equal(["line 2: CA = \"+2\": a score is -1, 0, +1 or empty (not applicable)",
                      "line 3: FR = \"yes\": a score is -1, 0, +1 or empty (not applicable)"], errors);
    }

    [Fact]
    public void a_wrong_header_or_a_repeated_commitment_is_refused()
    {
        Assert.StartsWith("line 1:", Assert.Single(ScoreMatrixImporter.Parse("cycle,id,area,text,CA\n").Errors));
        var (_, _, errors) = ScoreMatrixImporter.Parse("cycle,commitment,area,text,CA\n2013-x,1,A,T,1\n2013-x,1,A,T,0\n");
        Assert.Equal("line 3: commitment 1 of 2013-x already appears on line 2", Assert.Single(errors));
    }

    [Fact]
    public void leading_plus_and_empty_cells_parse()
    {
        var (members, rows, errors) = ScoreMatrixImporter.Parse("cycle,commitment,area,text,CA,FR,RU\n2013-x,1,A,T,+1,,-1\n");
        Assert.Empty(errors);
        Assert.Equal(["CA", "FR", "RU"], members);
        Assert.Equal(new int?[] { 1, null, -1 }, members.Select(m => rows[0].Cells[m]));
    }
}
