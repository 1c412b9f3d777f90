using System.Text;

namespace ComplianceEvents.Reports.Rendering;

/// <summary>Table B as CSV: one row per commitment, then an "overall" row with the member averages and the overall average.</summary>
public static class CsvRenderer
{
    public static string Render(ReportModel m)
    {
        var csv = new StringBuilder();
        void Row(IEnumerable<string> fields) => csv.Append(string.Join(',', fields.Select(Quote))).Append('\n');
        Row(["commitment", "title", .. m.Members.Select(x => x.Code), "average", "percent"]);
        foreach (var c in m.Commitments)
            Row([c.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{c.IssueArea}: {c.Title}",
                .. c.Cells.Select(x => x.NotApplicable ? "" : x.Display), Value(c.Average), Percent(c.Average)]);
        Row(["overall", "", .. m.Members.Select(x => Value(m.MemberAverage(x.Code))), Value(m.Overall), Percent(m.Overall)]);
        return csv.ToString();
    }

    private static string Value(Average a) => a.HasValue ? a.Display : "";
    private static string Percent(Average a) => a.Percent?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
    private static string Quote(string s) => s.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
}
