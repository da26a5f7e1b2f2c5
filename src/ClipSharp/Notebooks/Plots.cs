using ClipSharp.Evaluation;
using Plotly.NET;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace ClipSharp.Notebooks;

/// <summary>The charts the notebooks draw, built with Plotly.NET. Each returns a <see cref="Plot"/>, which a notebook
/// displays by leaving it as a cell's value.</summary>
public static class Plots
{
    /// <summary>A matrix as a heatmap, first row at the top, each cell labelled with its value.</summary>
    public static Plot Heatmap(string title, float[,] values, IReadOnlyList<string> rows, IReadOnlyList<string> columns, string format = "F3")
    {
        Check(values.GetLength(0) == rows.Count && values.GetLength(1) == columns.Count,
            $"Heatmap '{title}': values are [{values.GetLength(0)}, {values.GetLength(1)}] but there are {rows.Count} row and {columns.Count} column labels");
        var z = Enumerable.Range(0, rows.Count).Select(r => Enumerable.Range(0, columns.Count).Select(c => (double)values[r, c]).ToArray()).ToArray();
        var chart = CSharpChart.Heatmap<double, string, string, string>(
            zData: z, X: columns.ToArray(), Y: rows.ToArray(), ReverseYAxis: true, ColorScale: StyleParam.Colorscale.Viridis);
        foreach (var trace in GenericChart.getTraces(chart)) trace.SetProperty("texttemplate", $"%{{z:{D3Format(format)}}}");
        return Styled(title, chart, width: Math.Max(500, 120 * columns.Count + 250), height: Math.Max(350, 28 * rows.Count + 150));
    }

    /// <summary>The confusion matrix: true class down, predicted class across, counts in the cells.</summary>
    public static Plot Confusion(ConfusionMatrix confusion, string title = "Confusion matrix (rows: true class, columns: predicted)")
    {
        int n = confusion.Classes.Count;
        var counts = new float[n, n];
        for (int a = 0; a < n; a++)
            for (int p = 0; p < n; p++) counts[a, p] = confusion.Counts[a, p];
        return Heatmap(title, counts, confusion.Classes, confusion.Classes, "F0");
    }

    /// <summary>Overlaid, semi-transparent histograms of several series on one axis.</summary>
    public static Plot Histograms(string title, string xTitle, IEnumerable<(string Name, IEnumerable<double> Values)> series, int bins = 30)
    {
        var traces = series.Select(s => CSharpChart.Histogram<double, double, string>(X: s.Values.ToArray(), Name: s.Name, Opacity: 0.6, NBinsX: bins)).ToList();
        Check(traces.Count > 0, $"Histograms '{title}': no series given");
        return Styled(title, CSharpChart.Combine(traces), xTitle: xTitle, yTitle: "images", layout: ("barmode", "overlay"));
    }

    /// <summary>One bar per label, the value printed on it.</summary>
    public static Plot Bars(string title, IReadOnlyList<string> labels, IReadOnlyList<double> values, string yTitle, string format = "F3")
    {
        Check(labels.Count == values.Count, $"Bars '{title}': {labels.Count} labels but {values.Count} values");
        var text = values.Select(v => v.ToString(format, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var chart = CSharpChart.Column<double, string, string>(values: values.ToArray(), Keys: labels.ToArray(), MultiText: text);
        return Styled(title, chart, yTitle: yTitle, width: Math.Max(600, 110 * labels.Count + 200), height: 450);
    }

    static Plot Styled(string title, GenericChart chart, string? xTitle = null, string? yTitle = null, int width = 700, int height = 450,
        params (string Key, object Value)[] layout)
    {
        // Plotly.NET's layout setters are F# functions with dozens of optional arguments; its layout is a dynamic
        // object, so set plotly.js's own keys directly.
        var style = GenericChart.getLayout(chart);
        style.SetProperty("title", Text(title));
        style.SetProperty("width", width);
        style.SetProperty("height", height);
        if (xTitle is not null) style.SetProperty("xaxis", new Dictionary<string, object> { ["title"] = Text(xTitle) });
        if (yTitle is not null) style.SetProperty("yaxis", new Dictionary<string, object> { ["title"] = Text(yTitle), ["automargin"] = true });
        foreach (var (key, value) in layout) style.SetProperty(key, value);
        return new Plot(title, GenericChart.setLayout(style, chart));
    }

    static Dictionary<string, object> Text(string text) => new() { ["text"] = text };

    /// <summary>A .NET fixed-point format ("F3") as the d3 format plotly.js uses (".3f").</summary>
    static string D3Format(string format) => format.StartsWith('F') ? $".{format[1..]}f" : format;

    static void Check(bool condition, string message)
    {
        if (!condition) throw new ArgumentException(message);
    }
}
