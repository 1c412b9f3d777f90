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

    [Fact]
    public void an_unterminated_quote_names_the_line_it_opened_on()
    {
        var (_, _, errors) = ScoreMatrixImporter.Parse("cycle,commitment,area,text,CA,FR\n2013-x,1,A,T,1,0\n2013-x,2,A,\"Open, " +
            "markets,1,0\n2013-x,3,A,T,1,0\n");
        Assert.Equal("line 3: a quoted field opened on this line is never closed (a \" is missing)", Assert.Single(errors));
    }

    [Fact]
    public void several_problems_of_one_line_are_one_line_of_the_report()
    {
        var (_, _, errors) = ScoreMatrixImporter.Parse("cycle,commitment,area,text,CA,FR\n2013-x,1,A,,+2,yes\n");
        var error = Assert.Single(errors);
        Assert.StartsWith("line 2: CA = \"+2\"", error);
        Assert.Contains("FR = \"yes\"", error);
        Assert.Contains("text is empty", error);
    }

    [Theory]
    [InlineData("cycle,commitment,area,text,CA,XX\n", "line 1: member code \"XX\" is not one of")]
    [InlineData("cycle,commitment,area,text,title\n", "line 1: no member code")]
    public void unknown_member_codes_and_a_header_without_members_are_refused(string header, string expected) =>
        Assert.StartsWith(expected, Assert.Single(ScoreMatrixImporter.Parse(header + "2013-x,1,A,T,1\n").Errors));

    [Fact]
    public void a_title_is_the_text_when_it_fits_else_cut_at_a_word_within_the_limit()
    {
        Assert.Equal("Open markets", ScoreMatrix.DeriveTitle(" Open   markets "));
        var text = string.Concat(Enumerable.Repeat("abcdefghi ", 40)); // 400 characters, words of 9 letters
        var title = ScoreMatrix.DeriveTitle(text);
        Assert.True(title.Length <= ScoreMatrix.TitleLimit);
        Assert.Equal(string.Concat(Enumerable.Repeat("abcdefghi ", 29)).TrimEnd() + "…", title);
        var (_, rows,
            _) = ScoreMatrixImporter.Parse("cycle,commitment,area,text,title,CA\n2013-x,1,A,Long text,Short,1\n2013-x,2,A,Long text,,1\n");
        Assert.Equal(["Short", "Long text"], rows.Select(r => r.Title));
    }
}
