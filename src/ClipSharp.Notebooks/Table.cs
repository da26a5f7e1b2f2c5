using System.Globalization;
using System.Net;
using System.Text;
using TorchSharp;

namespace ClipSharp.Notebooks;

/// <summary>A labelled grid of values shown as a compact HTML table (the kernel's default view of a 2-D tensor is a
/// flat list); e.g. token ids [2, 77] with one row per prompt. Columns of numbers are right-aligned, text left-aligned;
/// reals have one number of decimals per table, so a column's digits line up.</summary>
public sealed class Table(IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels, string[,] cells)
{
    public IReadOnlyList<string> RowLabels { get; } = rowLabels;
    public IReadOnlyList<string> ColumnLabels { get; } = columnLabels;
    public string this[int row, int column] => cells[row, column];

    /// <summary>A 2-D tensor, columns numbered from 0, integers as they are and reals to four decimals.</summary>
    public static Table FromTensor(torch.Tensor values, IReadOnlyList<string>? rowLabels = null)
    {
        if (values.dim() != 2)
            throw new ArgumentException($"A table needs a 2-D tensor; got [{string.Join(", ", values.shape)}]");
        int rows = (int)values.shape[0], columns = (int)values.shape[1];
        rowLabels ??= [.. Enumerable.Range(0, rows).Select(r => r.ToString(CultureInfo.InvariantCulture))];
        if (rowLabels.Count != rows) throw new ArgumentException($"{rowLabels.Count} row labels for {rows} rows");
        bool integral = !values.is_floating_point();
        var flat = values.to_type(torch.float64).cpu().data<double>().ToArray();
        var cells = new string[rows, columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                cells[r, c] = flat[r * columns + c].ToString(integral ? "F0" : "F4", CultureInfo.InvariantCulture);
        return new Table(rowLabels, Numbers(columns), cells);
    }

    /// <summary>One row per item, one column per public property (anonymous types included); numbers in invariant
    /// culture, reals with <paramref name="decimals"/> decimals.</summary>
    public static Table FromRecords<T>(IEnumerable<T> items, int decimals = 4)
    {
        var properties = typeof(T).GetProperties();
        var rows = items.ToList();
        var cells = new string[rows.Count, properties.Length];
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < properties.Length; c++)
                cells[r, c] = Format(properties[c].GetValue(rows[r]), decimals);
        return new Table(Numbers(rows.Count), [.. properties.Select(p => p.Name)], cells);
    }

    static string[] Numbers(int count) =>
        [.. Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    static string Format(object? value, int decimals) => value switch
    {
        null => "",
        double d => d.ToString($"F{decimals}", CultureInfo.InvariantCulture),
        float f => f.ToString($"F{decimals}", CultureInfo.InvariantCulture),
        decimal m => m.ToString($"F{decimals}", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Whether every non-empty cell of the column is a number (then the column is right-aligned).</summary>
    public bool IsNumeric(int column) => Enumerable.Range(0, RowLabels.Count)
        .Select(r => cells[r, column]).Where(v => v.Length > 0)
        .All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));

    public string ToHtml()
    {
        var align = Enumerable.Range(0, ColumnLabels.Count).Select(c => IsNumeric(c) ? "right" : "left").ToArray();
        var html = new StringBuilder("<div style=\"overflow-x:auto\">")
            .Append("<table style=\"font-size:11px;border-collapse:collapse\"><tr><th></th>");
        for (int c = 0; c < ColumnLabels.Count; c++)
            html.Append($"<th style=\"padding:1px 4px;text-align:{align[c]}\">")
                .Append($"{WebUtility.HtmlEncode(ColumnLabels[c])}</th>");
        html.Append("</tr>");
        for (int r = 0; r < RowLabels.Count; r++)
        {
            html.Append("<tr><th style=\"text-align:left;white-space:nowrap;padding:1px 6px\">")
                .Append($"{WebUtility.HtmlEncode(RowLabels[r])}</th>");
            for (int c = 0; c < ColumnLabels.Count; c++)
                html.Append($"<td style=\"padding:1px 4px;text-align:{align[c]}\">")
                    .Append($"{WebUtility.HtmlEncode(cells[r, c])}</td>");
            html.Append("</tr>");
        }
        return html.Append("</table></div>").ToString();
    }
}
