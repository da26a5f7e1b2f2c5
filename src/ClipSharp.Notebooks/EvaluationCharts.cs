using ClipSharp.Evaluation;

namespace ClipSharp.Notebooks;

/// <summary>The charts of a zero-shot evaluation, as notebook 04 shows them and <c>clip evaluate --plots</c> saves
/// them. </summary>
public static class EvaluationCharts
{
    /// <summary>Counts and row shares of true × predicted class.</summary>
    public static Plot Confusion(EvaluationResult result) => Plots.Confusion(result.Confusion);

    /// <summary>For two classes, cos(second) − cos(first) per image by true class, with the decision boundary at 0
    /// (the classifier predicts the second class right of it); for more, each image's winning margin over the
    /// runner-up.</summary>
    public static Plot Margins(EvaluationResult result)
    {
        var classes = result.Classes;
        if (classes.Count == 2)
            return Plots.Histograms($"cos({classes[1]}) − cos({classes[0]}), by true class", "cosine margin",
                classes.Select((c, k) => ($"true: {c}", result.Predictions.Where(p => p.Label == k)
                    .Select(p => (double)(p.Cosine[1] - p.Cosine[0])))),
                boundary: 0, boundaryLabel: $"◀ predicted {classes[0]} | predicted {classes[1]} ▶");
        return Plots.Histograms("cos(true class) − best cos(other class), by true class",
            "cosine margin (> 0: correct)",
            classes.Select((c, k) => ($"true: {c}", result.Predictions.Where(p => p.Label == k)
                .Select(p => (double)(p.Cosine[k] - p.Cosine.Where((_, j) => j != k).Max())))),
            boundary: 0, boundaryLabel: "◀ wrong | right ▶");
    }

    /// <summary>Every image's cosine to each class prompt, one histogram per prompt.</summary>
    public static Plot Cosines(EvaluationResult result) => Plots.Histograms(
        "Cosine similarity to each prompt, all images", "cosine similarity",
        result.Classes.Select((c, k) => ($"prompt: {c}", result.Predictions.Select(p => (double)p.Cosine[k]))));

    /// <summary>The file name stems of the charts, in the order of <see cref="All"/>.</summary>
    public static readonly IReadOnlyList<string> Names = ["confusion-matrix", "cosine-margins", "cosines"];

    /// <summary>The charts with the file names <see cref="Save"/> gives them.</summary>
    public static IReadOnlyList<(string Name, Plot Plot)> All(EvaluationResult result) =>
        [(Names[0], Confusion(result)), (Names[1], Margins(result)), (Names[2], Cosines(result))];

    /// <summary>The files <see cref="Save"/> writes into <paramref name="folder"/>, before it writes them.</summary>
    public static IReadOnlyList<string> Files(string folder, bool png) =>
        [.. Names.SelectMany(name => png ? [name + ".html", name + ".png"] : new[] { name + ".html" })
            .Select(file => Path.Combine(folder, file))];

    /// <summary>Writes each chart as NAME.html (always, self-contained) and NAME.png (when a headless Chromium is
    /// there); returns the files written.</summary>
    public static IReadOnlyList<string> Save(EvaluationResult result, string folder, bool png = true)
    {
        var written = new List<string>();
        foreach (var (name, plot) in All(result))
        {
            string html = Path.Combine(folder, name + ".html");
            plot.SaveHtml(html);
            written.Add(html);
            if (!png) continue;
            plot.SavePng(Path.Combine(folder, name + ".png"));
            written.Add(Path.Combine(folder, name + ".png"));
        }
        return written;
    }
}
