using System.Globalization;
using ClipSharp.Evaluation;
using Plotly.NET;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace ClipSharp.Notebooks;

/// <summary>The charts the notebooks draw, built with Plotly.NET. Each returns a <see cref="Plot"/>, which a notebook
/// displays by leaving it as a cell's value. Plotly.NET's layout setters are F# functions with dozens of optional
/// arguments; its traces and layout are dynamic objects, so plotly.js's own keys are set directly.</summary>
public static class Plots
{
    const string Blue = "#4c78a8", Orange = "#f58518";
    static readonly (double At, int R, int G, int B)[] CountScale =
        [(0, 247, 251, 255), (0.5, 107, 174, 214), (1, 8, 48, 107)];

    /// <summary>A matrix as a heatmap, first row at the top, each cell labelled with its value. Long row and column
    /// names are shortened on the axes (<c>start…end</c>) and shown whole on hover.</summary>
    public static Plot Heatmap(string title, float[,] values, IReadOnlyList<string> rows, IReadOnlyList<string> columns,
        string format = "F3", string? xTitle = null, string? yTitle = null, string? colorTitle = null)
    {
        Check(values.GetLength(0) == rows.Count && values.GetLength(1) == columns.Count,
            $"Heatmap '{title}': values are [{values.GetLength(0)}, {values.GetLength(1)}] but there are " +
            $"{rows.Count} row and {columns.Count} column labels");
        var z = Enumerable.Range(0, rows.Count)
            .Select(r => Enumerable.Range(0, columns.Count).Select(c => (double)values[r, c]).ToArray()).ToArray();
        var chart = CSharpChart.Heatmap<double, string, string, string>(
            zData: z, X: columns.ToArray(), Y: rows.ToArray(), ColorScale: StyleParam.Colorscale.Viridis);
        string d3 = D3Format(format);
        foreach (var trace in GenericChart.getTraces(chart))
        {
            trace.SetProperty("texttemplate", $"%{{z:{d3}}}");
            trace.SetProperty("hovertemplate", $"{yTitle ?? "row"}: %{{y}}<br>{xTitle ?? "column"}: %{{x}}<br>" +
                $"{colorTitle ?? "value"}: %{{z:{d3}}}<extra></extra>");
            if (colorTitle is not null)
                trace.SetProperty("colorbar", new Dictionary<string, object> { ["title"] = Text(colorTitle) });
        }
        var shortRows = ChartLabels.Shorten(rows);
        var shortColumns = ChartLabels.Fit(columns, 18);
        int left = 7 * shortRows.DefaultIfEmpty("").Max(l => l.Length) + 60;
        return Styled(title, chart, width: Math.Max(500, 120 * columns.Count + left + 150),
            height: Math.Max(350, 28 * rows.Count + 170),
            ("xaxis", Axis(xTitle, ("tickmode", "array"), ("tickvals", columns.ToArray()),
                ("ticktext", shortColumns.ToArray()))),
            ("yaxis", Axis(yTitle, ("autorange", "reversed"), ("tickmode", "array"), ("tickvals", rows.ToArray()),
                ("ticktext", shortRows.ToArray()))));
    }

    /// <summary>The confusion matrix: true class down, predicted class across; each cell shows its count and its share
    /// of the true class (the row), and is coloured by that share, its text dark or light for contrast.</summary>
    public static Plot Confusion(ConfusionMatrix confusion, string title = "Confusion matrix")
    {
        int n = confusion.Classes.Count;
        var share = new double[n][];
        var hover = new string[n][];
        var annotations = new List<Dictionary<string, object>>();
        for (int a = 0; a < n; a++)
        {
            int total = Enumerable.Range(0, n).Sum(p => confusion.Counts[a, p]);
            share[a] = new double[n];
            hover[a] = new string[n];
            for (int p = 0; p < n; p++)
            {
                int count = confusion.Counts[a, p];
                share[a][p] = total == 0 ? 0 : (double)count / total;
                string percent = total == 0
                    ? "no images"
                    : (100 * share[a][p]).ToString("F1", CultureInfo.InvariantCulture) + " %";
                hover[a][p] = $"{count} of {total} ({percent})";
                annotations.Add(new()
                {
                    ["x"] = confusion.Classes[p], ["y"] = confusion.Classes[a],
                    ["xref"] = "x", ["yref"] = "y", ["showarrow"] = false,
                    ["text"] = $"<b>{count}</b><br>{percent}",
                    ["font"] = new Dictionary<string, object> { ["size"] = 15, ["color"] = TextColourOn(share[a][p]) },
                });
            }
        }
        var chart = CSharpChart.Heatmap<double, string, string, string>(
            zData: share, X: confusion.Classes.ToArray(), Y: confusion.Classes.ToArray());
        foreach (var trace in GenericChart.getTraces(chart))
        {
            trace.SetProperty("colorscale",
                CountScale.Select(s => new object[] { s.At, $"rgb({s.R},{s.G},{s.B})" }).ToArray());
            trace.SetProperty("zmin", 0);
            trace.SetProperty("zmax", 1);
            trace.SetProperty("text", hover);
            trace.SetProperty("hovertemplate", "true: %{y}<br>predicted: %{x}<br>%{text}<extra></extra>");
            trace.SetProperty("colorbar",
                new Dictionary<string, object> { ["title"] = Text("share of<br>true class"), ["tickformat"] = ".0%" });
        }
        int left = 7 * confusion.Classes.Max(c => c.Length) + 80;
        return Styled(title, chart, width: Math.Max(450, 130 * n + left + 150), height: Math.Max(380, 110 * n + 170),
            ("xaxis", Axis("predicted class", ("side", "bottom"))),
            ("yaxis", Axis("true class", ("autorange", "reversed"))),
            ("annotations", annotations.ToArray()));
    }

    /// <summary>Overlaid, semi-transparent histograms of several series over one set of bins (see
    /// <see cref="HistogramBins"/>), counts on whole-number ticks, and a dashed vertical line at
    /// <paramref name="boundary"/> when given (e.g. the decision threshold).</summary>
    public static Plot Histograms(string title, string xTitle,
        IEnumerable<(string Name, IEnumerable<double> Values)> series,
        int? bins = null, double? boundary = null, string? boundaryLabel = null)
    {
        var data = series.Select(s => (s.Name, Values: s.Values.ToArray())).ToList();
        Check(data.Count > 0, $"Histograms '{title}': no series given");
        var shared = HistogramBins.Cover([.. data.SelectMany(s => s.Values)], bins);
        var xbins = new Dictionary<string, object>
        {
            ["start"] = shared.Start, ["end"] = shared.End, ["size"] = shared.Size,
        };
        var traces = data.Select(s =>
        {
            var chart = CSharpChart.Histogram<double, double, string>(X: s.Values, Name: s.Name, Opacity: 0.6);
            foreach (var trace in GenericChart.getTraces(chart))
            {
                trace.SetProperty("xbins", xbins);
                trace.SetProperty("autobinx", false);
            }
            return chart;
        }).ToList();
        int highest = data.Select(s => shared.Counts(s.Values).DefaultIfEmpty(0).Max()).DefaultIfEmpty(0).Max();
        double low = Math.Min(shared.Start, boundary ?? shared.Start),
            high = Math.Max(shared.End, boundary ?? shared.End);
        double pad = (high - low) * 0.02;
        var layout = new List<(string, object)>
        {
            ("barmode", "overlay"),
            ("xaxis", Axis(xTitle, ("range", new[] { low - pad, high + pad }))),
            ("yaxis", Axis("images", ("tickformat", "d"), ("tick0", 0),
                ("dtick", Math.Max(1, (int)HistogramBins.Nice(highest / 6.0))),
                ("rangemode", "tozero"))),
        };
        if (boundary is { } x)
        {
            layout.Add(("shapes", new[] { Line(x, x, 0, 1, "x", "paper") }));
            string label = boundaryLabel ?? x.ToString("G4", CultureInfo.InvariantCulture);
            layout.Add(("annotations",
                new[] { Note(x, 1, label, "x", "paper", ("xanchor", "center"), ("yanchor", "bottom")) }));
        }
        return Styled(title, CSharpChart.Combine(traces), layout: [.. layout]);
    }

    /// <summary>One bar per label, the value printed on it; optional y range, labelled horizontal reference lines, and
    /// bars drawn in a second colour (<paramref name="highlight"/>, e.g. an ensemble among single prompts).</summary>
    public static Plot Bars(string title, IReadOnlyList<string> labels, IReadOnlyList<double> values, string yTitle,
        string format = "F3", (double Min, double Max)? range = null,
        IReadOnlyList<(string Name, double Value)>? lines = null, IReadOnlyCollection<int>? highlight = null)
    {
        Check(labels.Count == values.Count, $"Bars '{title}': {labels.Count} labels but {values.Count} values");
        Check(labels.Distinct().Count() == labels.Count,
            $"Bars '{title}': labels repeat, so bars would merge: {string.Join(", ", labels)}");
        var text = values.Select(v => v.ToString(format, CultureInfo.InvariantCulture)).ToArray();
        var chart = CSharpChart.Column<double, string, string>(values: values.ToArray(),
            Keys: labels.ToArray(), MultiText: text);
        var colours = labels.Select((_, i) => highlight?.Contains(i) == true ? Orange : Blue).ToArray();
        foreach (var trace in GenericChart.getTraces(chart))
        {
            trace.SetProperty("marker", new Dictionary<string, object> { ["color"] = colours });
            trace.SetProperty("textposition", "outside");
        }
        var yaxis = range is { } r ? Axis(yTitle, ("range", new[] { r.Min, r.Max })) : Axis(yTitle);
        var layout = new List<(string, object)>
        {
            ("xaxis", Axis(null, ("tickangle", 0), ("tickmode", "array"), ("tickvals", labels.ToArray()),
                ("ticktext", labels.Select(l => ChartLabels.Wrap(l)).ToArray()))),
            ("yaxis", yaxis),
        };
        if (lines is { Count: > 0 })
        {
            // Labels right of the plot; of two lines close together, the lower one's label goes below it, the upper's
            // above.
            double span = range is { } rr ? rr.Max - rr.Min
                : Math.Max(1e-9, values.Concat(lines.Select(l => l.Value)).Max());
            var order = lines.OrderBy(l => l.Value).ToList();
            string Anchor(int i) => i + 1 < order.Count && order[i + 1].Value - order[i].Value < 0.06 * span ? "top"
                : i > 0 && order[i].Value - order[i - 1].Value < 0.06 * span ? "bottom" : "middle";
            layout.Add(("shapes", lines.Select(l => Line(0, 1, l.Value, l.Value, "paper", "y")).ToArray()));
            layout.Add(("annotations", lines.Select(l => Note(1, l.Value,
                $"{l.Name} {l.Value.ToString(format, CultureInfo.InvariantCulture)}", "paper", "y",
                ("xanchor", "left"), ("yanchor", Anchor(order.IndexOf(l))))).ToArray()));
            layout.Add(("margin", new Dictionary<string, object> { ["r"] = 8 * lines.Max(l => l.Name.Length) + 70 }));
        }
        return Styled(title, chart, width: Math.Max(600, 120 * labels.Count + 360), height: 480, layout: [.. layout]);
    }

    /// <summary>Accuracies on [0, 1] with the two baselines a reader needs: chance (1 / classes) and always predicting
    /// the most frequent class of <paramref name="labels"/>; the bars at <paramref name="highlight"/> stand
    /// out.</summary>
    public static Plot Accuracies(string title, IReadOnlyList<string> names, IReadOnlyList<double> accuracies,
        IReadOnlyCollection<int> labels, int classes, IReadOnlyCollection<int>? highlight = null)
    {
        Check(classes > 0 && labels.Count > 0, $"Accuracies '{title}': need at least one class and one label");
        double majority = (double)labels.GroupBy(l => l).Max(g => g.Count()) / labels.Count;
        return Bars(title, names, accuracies, "accuracy", "F3", (0, 1),
            [("chance", 1.0 / classes), ("majority class", majority)], highlight);
    }

    /// <summary>A chart with its title and size; plotly.js's own layout keys set directly, because Plotly.NET's
    /// layout is a dynamic object.</summary>
    internal static Plot Styled(string title, GenericChart chart, int width = 700, int height = 450,
        params (string Key, object Value)[] layout)
    {
        var style = GenericChart.getLayout(chart);
        style.SetProperty("title", Text(title));
        style.SetProperty("width", width);
        style.SetProperty("height", height);
        foreach (var (key, value) in layout) style.SetProperty(key, value);
        return new Plot(title, GenericChart.setLayout(style, chart));
    }

    static Dictionary<string, object> Axis(string? title, params (string Key, object Value)[] settings)
    {
        var axis = new Dictionary<string, object> { ["automargin"] = true };
        if (title is not null) axis["title"] = Text(title);
        foreach (var (key, value) in settings) axis[key] = value;
        return axis;
    }

    static Dictionary<string, object> Line(double x0, double x1, double y0, double y1, string xref, string yref) =>
    new()
    {
        ["type"] = "line", ["x0"] = x0, ["x1"] = x1, ["y0"] = y0, ["y1"] = y1, ["xref"] = xref, ["yref"] = yref,
        ["line"] = new Dictionary<string, object> { ["color"] = "#333333", ["width"] = 2, ["dash"] = "dash" },
    };

    static Dictionary<string, object> Note(double x, double y, string text, string xref, string yref,
        params (string, object)[] more)
    {
        var note = new Dictionary<string, object>
        {
            ["x"] = x, ["y"] = y, ["xref"] = xref, ["yref"] = yref, ["text"] = text, ["showarrow"] = false,
        };
        foreach (var (key, value) in more) note[key] = value;
        return note;
    }

    internal static Dictionary<string, object> Text(string text) => new() { ["text"] = text };

    /// <summary>Black or white, whichever contrasts more (WCAG) with the colour the count scale gives a
    /// share.</summary>
    internal static string TextColourOn(double share)
    {
        int i = share >= CountScale[1].At ? 1 : 0;
        double t = Math.Clamp((share - CountScale[i].At) / (CountScale[i + 1].At - CountScale[i].At), 0, 1);
        double Channel(int from, int to) => Linear((from + t * (to - from)) / 255);
        double luminance = 0.2126 * Channel(CountScale[i].R, CountScale[i + 1].R)
            + 0.7152 * Channel(CountScale[i].G, CountScale[i + 1].G)
            + 0.0722 * Channel(CountScale[i].B, CountScale[i + 1].B);
        return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? "black" : "white";
    }

    static double Linear(double c) => c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);

    /// <summary>A .NET fixed-point format ("F3") as the d3 format plotly.js uses (".3f").</summary>
    static string D3Format(string format) => format.StartsWith('F') ? $".{format[1..]}f" : format;

    static void Check(bool condition, string message)
    {
        if (!condition) throw new ArgumentException(message);
    }
}
