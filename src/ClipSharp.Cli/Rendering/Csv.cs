using System.Text;

namespace ClipSharp.Cli.Rendering;

/// <summary>CSV as RFC 4180 quotes it: a field holding a comma, a double quote, CR or LF is put in double quotes,
/// with its double quotes doubled; records end with LF.</summary>
static class Csv
{
    public static string Record(IEnumerable<string> fields) => string.Join(',', fields.Select(Field));

    public static string Field(string value) => value.AsSpan().IndexOfAny(",\"\r\n") < 0
        ? value
        : "\"" + value.Replace("\"", "\"\"") + "\"";

    public static void Write(TextWriter writer, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var text = new StringBuilder();
        text.Append(Record(header)).Append('\n');
        foreach (var row in rows) text.Append(Record(row)).Append('\n');
        writer.Write(text.ToString());
    }
}
