using System.Globalization;
using ClipSharp.Evaluation;
using Plotly.NET;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace ClipSharp.Notebooks;

/// <summary>The charts of the analysis notebooks (learning curves, embedding maps, ROC and precision–recall curves,
/// threshold sweeps), built with Plotly.NET like <see cref="Plots"/> and returned as the same <see cref="Plot"/>.
/// </summary>
public static class AnalysisPlots
{
    /// <summary>The colour of reference lines (chance, prevalence, a threshold), as in <see cref="Plots"/>.</summary>
    const string Reference = "#333333";

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
        return Plots.Styled(title, CSharpChart.Combine(traces), 750, 450,
            ("xaxis", new Dictionary<string, object>
            {
                ["title"] = Plots.Text(xTitle), ["type"] = "log", ["tickvals"] = ticks,
                ["ticktext"] = ticks.Select(t => t.ToString(CultureInfo.InvariantCulture)).ToArray(),
            }),
            ("yaxis", new Dictionary<string, object>
            {
                ["title"] = Plots.Text(yTitle), ["range"] = new[] { 0.0, 1.05 },
            }));
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
        return Plots.Styled(title, CSharpChart.Combine(traces), 800, 600,
            ("xaxis", new Dictionary<string, object> { ["title"] = Plots.Text(xTitle) }),
            ("yaxis", new Dictionary<string, object> { ["title"] = Plots.Text(yTitle), ["scaleanchor"] = "x" }));
    }

    /// <summary>The ROC curve of P(second class) against the label (<see cref="BinaryMetrics.Roc"/>), its AUC in the
    /// legend, with the diagonal a random score follows (AUC 0.5).</summary>
    public static Plot Roc(EvaluationResult result)
    {
        var (binary, negative, positive) = TwoClasses(result, "ROC curve");
        var roc = binary.Roc;
        var hover = roc.Thresholds.Select(t => double.IsPositiveInfinity(t) ? "nothing called " + positive
            : $"P({positive}) ≥ {F3(t)}").ToArray();
        var curve = Curve(roc.FalsePositiveRates, roc.TruePositiveRates, $"ROC (AUC = {F3(binary.RocAuc)})",
            StyleParam.Mode.Lines_Markers, hover: hover);
        var chance = Curve([0.0, 1.0], [0.0, 1.0], "chance (AUC = 0.500)", StyleParam.Mode.Lines, dash: "dash",
            colour: Reference);
        return Plots.Styled($"ROC curve of P({positive})", CSharpChart.Combine([curve, chance]), 720, 500,
            ("xaxis", UnitAxis($"false positive rate (share of {negative} called {positive})")),
            ("yaxis", UnitAxis($"true positive rate (share of {positive} found)")));
    }

    /// <summary>Precision against recall of P(second class), stepped as average precision sums it (each precision
    /// holds over the recall its threshold adds), the AP (<see cref="BinaryMetrics.AveragePrecision"/>) in the
    /// legend, with the positive class's prevalence: the precision, and the AP, of a random score.</summary>
    public static Plot PrecisionRecall(EvaluationResult result)
    {
        var (binary, _, positive) = TwoClasses(result, "Precision–recall curve");
        var steps = ThresholdSteps.Of([.. result.Predictions.Select(p => (double)p.Probabilities[1])],
            [.. result.Predictions.Select(p => p.Label == 1)]);
        double positives = Math.Max(1, steps.Positives);
        double[] recall = [0, .. steps.Steps.Select(s => s.TruePositives / positives)];
        double[] precision =
            [1, .. steps.Steps.Select(s => (double)s.TruePositives / (s.TruePositives + s.FalsePositives))];
        string[] hover =
            ["start (precision 1 at recall 0)", .. steps.Steps.Select(s => $"P({positive}) ≥ {F3(s.Score)}")];
        double prevalence = steps.Count == 0 ? double.NaN : (double)steps.Positives / steps.Count;
        var curve = Curve(recall, precision, $"precision–recall (AP = {F3(binary.AveragePrecision)})",
            StyleParam.Mode.Lines_Markers, shape: "vh", hover: hover);
        var chance = Curve([0.0, 1.0], [prevalence, prevalence], $"chance: prevalence of {positive} {F3(prevalence)}",
            StyleParam.Mode.Lines, dash: "dash", colour: Reference);
        return Plots.Styled($"Precision–recall curve of P({positive})", CSharpChart.Combine([curve, chance]),
            760, 500,
            ("xaxis", UnitAxis($"recall (share of {positive} images found)")),
            ("yaxis", UnitAxis($"precision (share of {positive} calls that are right)")));
    }

    /// <summary>Accuracy, true and false positive rates of the rule "second class when its probability is above t",
    /// against t (<see cref="ThresholdSweep"/>), with t = 0.5, the argmax rule, marked.</summary>
    public static Plot ThresholdSweep(EvaluationResult result)
    {
        var (_, negative, positive) = TwoClasses(result, "Threshold sweep");
        var sweep = ClipSharp.Evaluation.ThresholdSweep.Of(result)!;
        double atHalf = sweep.AccuracyAt(0.5);
        var traces = new[]
        {
            Curve(sweep.Thresholds, sweep.Accuracy, "accuracy", StyleParam.Mode.Lines, shape: "hv", width: 3),
            Curve(sweep.Thresholds, sweep.TruePositiveRates, $"true positive rate ({positive} found)",
                StyleParam.Mode.Lines, shape: "hv", dash: "dot"),
            Curve(sweep.Thresholds, sweep.FalsePositiveRates, $"false positive rate ({negative} called {positive})",
                StyleParam.Mode.Lines, shape: "hv", dash: "dot"),
            Curve([0.5], [atHalf], $"argmax rule, t = 0.5: accuracy {F3(atHalf)}", StyleParam.Mode.Markers,
                size: 12),
        };
        return Plots.Styled($"Accuracy against the threshold on P({positive})", CSharpChart.Combine(traces), 820, 480,
            ("xaxis", UnitAxis($"threshold t (above it: {positive})")),
            ("yaxis", UnitAxis("share")),
            ("shapes", new[]
            {
                new Dictionary<string, object>
                {
                    ["type"] = "line", ["x0"] = 0.5, ["x1"] = 0.5, ["y0"] = 0, ["y1"] = 1, ["xref"] = "x",
                    ["yref"] = "paper",
                    ["line"] = new Dictionary<string, object>
                        { ["color"] = Reference, ["width"] = 1, ["dash"] = "dash" },
                },
            }));
    }

    static (BinaryMetrics Binary, string Negative, string Positive) TwoClasses(EvaluationResult result, string chart)
    {
        if (result.Binary is not { } binary)
            throw new ArgumentException(
                $"{chart}: needs exactly two classes, the evaluation has {result.Classes.Count}");
        return (binary, result.Classes[0], result.Classes[1]);
    }

    /// <summary>One scatter trace whose points are drawn whole at the edges of a [0, 1] axis.</summary>
    static GenericChart Curve(IReadOnlyList<double> x, IReadOnlyList<double> y, string name, StyleParam.Mode mode,
        string shape = "linear", string dash = "solid", int width = 2, int size = 6, string[]? hover = null,
        string? colour = null)
    {
        var chart = hover is null
            ? CSharpChart.Scatter<double, double, string>(x: x.ToArray(), y: y.ToArray(), mode: mode, Name: name)
            : CSharpChart.Scatter<double, double, string>(x: x.ToArray(), y: y.ToArray(), mode: mode, Name: name,
                MultiText: hover);
        foreach (var trace in GenericChart.getTraces(chart))
        {
            var line = new Dictionary<string, object> { ["shape"] = shape, ["dash"] = dash, ["width"] = width };
            var marker = new Dictionary<string, object> { ["size"] = size };
            if (colour is not null) line["color"] = marker["color"] = colour;
            trace.SetProperty("line", line);
            trace.SetProperty("marker", marker);
            trace.SetProperty("cliponaxis", false);
            if (hover is not null) trace.SetProperty("hoverinfo", "x+y+text");
        }
        return chart;
    }

    static Dictionary<string, object> UnitAxis(string title) => new()
    {
        ["title"] = Plots.Text(title), ["range"] = new[] { 0.0, 1.0 }, ["dtick"] = 0.1, ["zeroline"] = false,
        ["automargin"] = true,
    };

    static string F3(double value) =>
        double.IsNaN(value) ? "n/a" : value.ToString("F3", CultureInfo.InvariantCulture);
}
