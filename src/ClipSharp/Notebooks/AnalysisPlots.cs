using System.Globalization;
using Plotly.NET;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace ClipSharp.Notebooks;

/// <summary>The charts of the few-shot and retrieval notebooks (learning curves, embedding maps), built with
/// Plotly.NET like <see cref="Plots"/> and returned as the same <see cref="Plot"/>.</summary>
public static class AnalysisPlots
{
    /// <summary>One line of a learning curve: y at each x, with an optional ± error bar per point.</summary>
    public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y,
        IReadOnlyList<double>? Error = null);

    /// <summary>Accuracy against training images per class (log₂ axis), with horizontal reference lines (e.g. the
    /// zero-shot accuracy) across the whole range.</summary>
    public static Plot LearningCurve(string title, IReadOnlyList<Series> series,
        IReadOnlyList<(string Name, double Y)> references, string xTitle = "training images per class (K)",
        string yTitle = "test accuracy")
    {
        if (series.Count == 0) throw new ArgumentException($"Learning curve '{title}': no series given");
        foreach (var s in series)
            if (s.X.Count != s.Y.Count || (s.Error is not null && s.Error.Count != s.Y.Count))
                throw new ArgumentException(
                    $"Learning curve '{title}': series '{s.Name}' has {s.X.Count} x, {s.Y.Count} y " +
                    $"and {s.Error?.Count ?? s.Y.Count} error values");
        var traces = new List<GenericChart>();
        foreach (var s in series)
        {
            var chart = CSharpChart.Scatter<double, double, string>(x: s.X.ToArray(), y: s.Y.ToArray(),
                mode: StyleParam.Mode.Lines_Markers, Name: s.Name);
            if (s.Error is not null)
                foreach (var trace in GenericChart.getTraces(chart))
                    trace.SetProperty("error_y", new Dictionary<string, object>
                        { ["type"] = "data", ["array"] = s.Error.ToArray(), ["visible"] = true });
            traces.Add(chart);
        }
        double low = series.SelectMany(s => s.X).Min(), high = series.SelectMany(s => s.X).Max();
        foreach (var (name, y) in references)
        {
            var line = CSharpChart.Scatter<double, double, string>(x: [low, high], y: [y, y],
                mode: StyleParam.Mode.Lines, Name: name);
            foreach (var trace in GenericChart.getTraces(line))
                trace.SetProperty("line", new Dictionary<string, object> { ["dash"] = "dash" });
            traces.Add(line);
        }
        var ticks = series.SelectMany(s => s.X).Distinct().Order().ToArray();
        return Styled(title, CSharpChart.Combine(traces), 750, 450,
            ("xaxis", new Dictionary<string, object>
            {
                ["title"] = Text(xTitle), ["type"] = "log", ["tickvals"] = ticks,
                ["ticktext"] = ticks.Select(t => t.ToString(CultureInfo.InvariantCulture)).ToArray(),
            }),
            ("yaxis", new Dictionary<string, object> { ["title"] = Text(yTitle), ["range"] = new[] { 0.0, 1.05 } }));
    }

    /// <summary>One group of points of a 2-D map: coordinates, a hover text per point, and a marker symbol
    /// ("circle", "diamond", …).</summary>
    public sealed record PointGroup(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y,
        IReadOnlyList<string> Hover, string Symbol = "circle", int Size = 9);

    /// <summary>A scatter map, one colour per group (e.g. images by label, and the class texts), hover showing each
    /// point's text.</summary>
    public static Plot Map(string title, IReadOnlyList<PointGroup> groups, string xTitle = "PC 1",
        string yTitle = "PC 2")
    {
        if (groups.Count == 0) throw new ArgumentException($"Map '{title}': no points given");
        var traces = new List<GenericChart>();
        foreach (var g in groups)
        {
            if (g.X.Count != g.Y.Count || g.Hover.Count != g.X.Count)
                throw new ArgumentException($"Map '{title}': group '{g.Name}' has {g.X.Count} x, {g.Y.Count} y " +
                    $"and {g.Hover.Count} hover texts");
            var chart = CSharpChart.Scatter<double, double, string>(x: g.X.ToArray(), y: g.Y.ToArray(),
                mode: StyleParam.Mode.Markers, Name: g.Name, MultiText: g.Hover.ToArray());
            foreach (var trace in GenericChart.getTraces(chart))
            {
                trace.SetProperty("hoverinfo", "text+name");
                trace.SetProperty("marker",
                    new Dictionary<string, object> { ["symbol"] = g.Symbol, ["size"] = g.Size });
            }
            traces.Add(chart);
        }
        return Styled(title, CSharpChart.Combine(traces), 800, 600,
            ("xaxis", new Dictionary<string, object> { ["title"] = Text(xTitle) }),
            ("yaxis", new Dictionary<string, object> { ["title"] = Text(yTitle), ["scaleanchor"] = "x" }));
    }

    static Plot Styled(string title, GenericChart chart, int width, int height,
        params (string Key, object Value)[] layout)
    {
        // As in Plots: Plotly.NET's layout is a dynamic object, so plotly.js's own keys are set directly.
        var style = GenericChart.getLayout(chart);
        style.SetProperty("title", Text(title));
        style.SetProperty("width", width);
        style.SetProperty("height", height);
        foreach (var (key, value) in layout) style.SetProperty(key, value);
        return new Plot(title, GenericChart.setLayout(style, chart));
    }

    static Dictionary<string, object> Text(string text) => new() { ["text"] = text };
}
