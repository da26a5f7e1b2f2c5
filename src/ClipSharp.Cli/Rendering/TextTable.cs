using Spectre.Console;

namespace ClipSharp.Cli.Rendering;

/// <summary>A table of strings shown three ways: a Spectre box table on a terminal; aligned plain columns when the
/// output is piped or redirected (no box characters, no ANSI, no wrapping); or CSV.</summary>
sealed class TextTable(params string[] header)
{
    readonly List<string[]> rows = [];
    readonly HashSet<int> rightAligned = [];

    public IReadOnlyList<string> Header { get; } = header;
    public IReadOnlyList<string[]> Rows => rows;

    public TextTable AlignRight(params int[] columns)
    {
        rightAligned.UnionWith(columns);
        return this;
    }

    public void Add(params string[] row)
    {
        if (row.Length != Header.Count)
            throw new InvalidOperationException($"A row of {row.Length} cells in a table of {Header.Count} columns");
        rows.Add(row);
    }

    /// <summary>Writes the table as <c>table</c> (box or plain by terminal) or <c>csv</c>.</summary>
    public void Write(CliContext context, string format)
    {
        if (format == OutputFormat.Csv) Csv.Write(context.Output, Header, rows);
        else if (context.OutputIsTerminal) context.Console().Write(Boxed());
        else WritePlain(context.Output);
    }

    Table Boxed()
    {
        var table = new Table().RoundedBorder();
        for (int c = 0; c < Header.Count; c++)
        {
            var column = new TableColumn(Markup.Escape(Header[c]));
            table.AddColumn(rightAligned.Contains(c) ? column.RightAligned() : column);
        }
        foreach (var row in rows) table.AddRow([.. row.Select(Markup.Escape)]);
        return table;
    }

    /// <summary>Columns two spaces apart, each as wide as its widest cell; no trailing spaces.</summary>
    public void WritePlain(TextWriter writer)
    {
        var widths = Enumerable.Range(0, Header.Count)
            .Select(c => rows.Select(r => r[c].Length).Append(Header[c].Length).Max()).ToArray();
        foreach (var row in rows.Prepend([.. Header]))
        {
            var cells = row.Select((cell, c) =>
                rightAligned.Contains(c) ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
            writer.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }
}
