using System.Globalization;
using System.Text.Json.Nodes;
using ClipSharp.Evaluation;
using ClipSharp.Modeling;
using ClipSharp.Notebooks;
using ClipSharp.ZeroShot;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Notebooks;

/// <summary>Notebook 04's ROC, precision–recall and threshold-sweep charts draw the library's metrics (RocCurve,
/// AveragePrecision, the accuracy) and the references a reader needs, read off each plotly figure; the sweep itself
/// is checked by hand on a small case, including the tie rule that makes t = 0.5 the argmax rule.</summary>
public class MetricChartsTests
{
    static readonly string[] Classes = ["no glasses", "glasses"];

    /// <summary>tiny-rn on the 27 reference images, as notebook 04 evaluates them on CI.</summary>
    static readonly Lazy<EvaluationResult> TinyRn = new(() =>
    {
        using var model = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        using var classifier = ZeroShotClassifier.Create(model, PromptSet.Create(Classes), Reference.Tokenizer);
        return new Evaluator(model).Evaluate(LabeledImageSet.Load(Reference.Images, Classes), classifier);
    });

    static JsonNode Figure(Plot plot) => JsonNode.Parse(plot.ToJson())!;
    static double[] Numbers(JsonNode? array) => [.. array!.AsArray().Select(v => (double)v!)];

    static void AssertUnitAxes(JsonNode layout, string xTitle, string yTitle)
    {
        Assert.Equal([0.0, 1.0], Numbers(layout["xaxis"]!["range"]));
        Assert.Equal([0.0, 1.0], Numbers(layout["yaxis"]!["range"]));
        Assert.Contains(xTitle, (string?)layout["xaxis"]!["title"]!["text"]);
        Assert.Contains(yTitle, (string?)layout["yaxis"]!["title"]!["text"]);
    }

    static EvaluationResult Synthetic(params (int Label, float Glasses)[] images)
    {
        var confusion = new ConfusionMatrix(Classes);
        var predictions = images.Select((x, i) =>
        {
            int predicted = x.Glasses > 0.5f ? 1 : 0;
            confusion.Add(x.Label, predicted);
            return new ImagePrediction($"{i}.png", x.Label, predicted, [1 - x.Glasses, x.Glasses], [0f, 0f]);
        }).ToList();
        return new EvaluationResult(predictions, confusion, null!, TimeSpan.Zero, 0);
    }

    [Fact]
    public void The_ROC_chart_draws_the_RocCurve_points_with_its_AUC_and_the_chance_diagonal()
    {
        var result = TinyRn.Value;
        var roc = result.Binary!.Roc;
        var figure = Figure(AnalysisPlots.Roc(result));
        var traces = figure["data"]!.AsArray();
        Assert.Equal(2, traces.Count);
        Assert.Equal(roc.FalsePositiveRates, Numbers(traces[0]!["x"]));
        Assert.Equal(roc.TruePositiveRates, Numbers(traces[0]!["y"]));
        string auc = result.Binary.RocAuc.ToString("F3", CultureInfo.InvariantCulture);
        Assert.Equal($"ROC (AUC = {auc})", (string?)traces[0]!["name"]);
        Assert.Equal([0.0, 1.0], Numbers(traces[1]!["x"]));
        Assert.Equal([0.0, 1.0], Numbers(traces[1]!["y"]));
        Assert.Equal("dash", (string?)traces[1]!["line"]!["dash"]);
        Assert.Contains("chance", (string?)traces[1]!["name"]);
        AssertUnitAxes(figure["layout"]!, "false positive rate", "true positive rate");
        Assert.Contains("P(glasses)", (string?)figure["layout"]!["title"]!["text"]);
    }

    [Fact]
    public void The_precision_recall_chart_encloses_the_average_precision_and_shows_the_prevalence()
    {
        var result = TinyRn.Value;
        var figure = Figure(AnalysisPlots.PrecisionRecall(result));
        var traces = figure["data"]!.AsArray();
        var curve = traces[0]!;
        Assert.Equal("vh", (string?)curve["line"]!["shape"]);
        double[] recall = Numbers(curve["x"]), precision = Numbers(curve["y"]);
        Assert.Equal((0.0, 1.0), (recall[0], precision[0]));
        Assert.Equal(1.0, recall[^1], 12);
        // Drawn "vh", each precision holds over the recall its threshold adds: the area is the average precision.
        double area = Enumerable.Range(1, recall.Length - 1).Sum(i => (recall[i] - recall[i - 1]) * precision[i]);
        Assert.Equal(result.Binary!.AveragePrecision, area, 12);
        string ap = result.Binary.AveragePrecision.ToString("F3", CultureInfo.InvariantCulture);
        Assert.Equal($"precision–recall (AP = {ap})", (string?)curve["name"]);

        double prevalence = (double)result.Predictions.Count(p => p.Label == 1) / result.Predictions.Count;
        Assert.Equal([prevalence, prevalence], Numbers(traces[1]!["y"]));
        Assert.Equal([0.0, 1.0], Numbers(traces[1]!["x"]));
        Assert.Contains(prevalence.ToString("F3", CultureInfo.InvariantCulture), (string?)traces[1]!["name"]);
        AssertUnitAxes(figure["layout"]!, "recall", "precision");
    }

    [Fact]
    public void The_sweep_at_threshold_one_half_is_the_argmax_accuracy_and_is_marked()
    {
        var result = TinyRn.Value;
        // t = 0.5 is the argmax rule only if every prediction is "glasses" exactly when P(glasses) > 0.5.
        Assert.All(result.Predictions, p => Assert.Equal(p.Prediction == 1, p.Probabilities[1] > 0.5f));
        var sweep = ThresholdSweep.Of(result)!;
        Assert.Equal(result.Accuracy, sweep.AccuracyAt(0.5), 12);

        var figure = Figure(AnalysisPlots.ThresholdSweep(result));
        var traces = figure["data"]!.AsArray();
        Assert.Equal(["accuracy", "true positive rate", "false positive rate", "argmax rule"],
            traces.Select(t => ((string)t!["name"]!).Split(" (")[0].Split(',')[0]));
        // The plotted step holding at 0.5 (the last threshold at or below it) is the evaluation's accuracy.
        double[] thresholds = Numbers(traces[0]!["x"]), accuracy = Numbers(traces[0]!["y"]);
        Assert.Equal("hv", (string?)traces[0]!["line"]!["shape"]);
        int step = Array.FindLastIndex(thresholds, t => t <= 0.5);
        Assert.Equal(result.Accuracy, accuracy[step], 12);
        Assert.Equal([0.5], Numbers(traces[3]!["x"]));
        Assert.Equal([result.Accuracy], Numbers(traces[3]!["y"]));
        string shown = result.Accuracy.ToString("F3", CultureInfo.InvariantCulture);
        Assert.EndsWith($"accuracy {shown}", (string?)traces[3]!["name"]);
        var line = figure["layout"]!["shapes"]!.AsArray().Single()!;
        Assert.Equal((0.5, 0.5), ((double)line["x0"]!, (double)line["x1"]!));
        AssertUnitAxes(figure["layout"]!, "threshold", "share");
    }

    [Fact]
    public void The_sweep_counts_a_score_equal_to_the_threshold_as_the_first_class()
    {
        var result = Synthetic((1, 0.9f), (0, 0.6f), (1, 0.5f), (0, 0.2f));
        var sweep = ThresholdSweep.Of(result)!;
        Assert.Equal([0, 0.2f, 0.5, 0.6f, 0.9f, 1], sweep.Thresholds);
        // Above 0: all four called glasses (2 right); above 0.2: 0.9, 0.6, 0.5 (3 right); above 0.5: 0.9, 0.6 (2);
        // above 0.6: 0.9 (3); above 0.9 and 1: none (2).
        Assert.Equal([0.5, 0.75, 0.5, 0.75, 0.5, 0.5], sweep.Accuracy);
        Assert.Equal([1, 1, 0.5, 0.5, 0, 0], sweep.TruePositiveRates);
        Assert.Equal([1, 0.5, 0.5, 0, 0, 0], sweep.FalsePositiveRates);
        Assert.Equal(result.Accuracy, sweep.AccuracyAt(0.5));
        Assert.Equal(0.75, sweep.AccuracyAt(0.45));
        Assert.Equal(0.5, sweep.AccuracyAt(-1));
    }

    [Fact]
    public void The_two_class_charts_refuse_an_evaluation_of_three_classes()
    {
        var confusion = new ConfusionMatrix(["a", "b", "c"]);
        confusion.Add(0, 0);
        var result = new EvaluationResult([new ImagePrediction("x.png", 0, 0, [0.5f, 0.3f, 0.2f], [0f, 0f, 0f])],
            confusion, null!, TimeSpan.Zero, 0);
        Assert.Null(ThresholdSweep.Of(result));
        foreach (var chart in new Func<EvaluationResult, Plot>[]
            { AnalysisPlots.Roc, AnalysisPlots.PrecisionRecall, AnalysisPlots.ThresholdSweep })
            Assert.Contains("needs exactly two classes, the evaluation has 3",
                Assert.Throws<ArgumentException>(() => chart(result)).Message);
    }
}
