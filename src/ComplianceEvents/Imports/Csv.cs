using System.Text;

namespace ComplianceEvents.Imports;

/// <summary>
/// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. Yields (line number, fields); a quote
/// that is never closed throws a <see cref="FormatException"/> naming the line it opened on (not a field count far below).
/// </summary>
public static class Csv
{
    public static IEnumerable<(int Line, IReadOnlyList<string> Fields)> Read(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var quoted = false;
        var quoteLine = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else { if (ch == '\n') line++; field.Append(ch); }
                continue;
            }
            switch (ch)
            {
                case '"' when field.Length == 0: quoted = true; quoteLine = line; break;
                case ',': fields.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n':
                    fields.Add(field.ToString()); field.Clear();
                    if (fields.Count > 1 || fields[0].Length > 0) yield return (recordLine, fields);
                    fields = [];
                    recordLine = ++line;
                    break;
                default: field.Append(ch); break;
            }
        }
        if (quoted) throw new FormatException($"line {quoteLine}: a quoted field opened on this line is never closed (a \" is missing)");
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return (recordLine, fields);
        }
    }
}
