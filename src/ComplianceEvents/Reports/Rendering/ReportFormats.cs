namespace ComplianceEvents.Reports.Rendering;

/// <summary>The formats a report is served in: md (canonical, DESIGN 2.2), html, csv (Table B only) and json.</summary>
public enum ReportFormat { Md, Html, Csv, Json }

/// <summary>The one place that picks a format's renderer and content type.</summary>
public static class ReportFormats
{
    public static string Render(ReportModel model, ReportFormat format) => format switch
    {
        ReportFormat.Md => MarkdownRenderer.Render(model),
        ReportFormat.Html => HtmlRenderer.Render(model),
        ReportFormat.Csv => CsvRenderer.Render(model),
        _ => JsonRenderer.Render(model),
    };

    public static string ContentType(ReportFormat format) => format switch
    {
        ReportFormat.Md => "text/markdown; charset=utf-8",
        ReportFormat.Html => "text/html; charset=utf-8",
        ReportFormat.Csv => "text/csv; charset=utf-8",
        _ => "application/json; charset=utf-8",
    };
}
