using System.Globalization;
using ClipSharp.ZeroShot;
using CsvHelper;

namespace ClipSharp.Evaluation;

/// <summary>An evaluation: per-image predictions, the confusion matrix, the similarity matrix and the time taken.
/// </summary>
public sealed record EvaluationResult(
    IReadOnlyList<ImagePrediction> Predictions, ConfusionMatrix Confusion, SimilarityMatrix Similarity,
    TimeSpan Elapsed, int EncodedImages)
{
    public double Accuracy => Confusion.Accuracy;
    public IReadOnlyList<string> Classes => Confusion.Classes;
    public int Correct => Predictions.Count(p => p.Correct);

    /// <summary>The accuracy's 95 % Wilson score interval.</summary>
    public WilsonInterval AccuracyInterval => WilsonInterval.Of(Correct, Predictions.Count);

    BinaryMetrics? binary;
    /// <summary>ROC AUC and average precision of the second class's probability; null unless there are two classes.
    /// </summary>
    public BinaryMetrics? Binary => binary ??= BinaryMetrics.Of(Predictions, Classes.Count);

    /// <summary>The per-image CSV: <c>file,label,prediction,p_&lt;class&gt;…</c> (label and prediction as class
    /// indices).</summary>
    public void WriteCsv(string path) => AtomicFile.Write(path, stream =>
    {
        using var writer = CsvWriter.Create(stream, leaveOpen: true);
        writer.WriteRecord([.. new[] { "file", "label", "prediction" }.Concat(Classes.Select(c => $"p_{c}"))]);
        foreach (var p in Predictions)
            writer.WriteRecord([p.File, p.Label.ToString(CultureInfo.InvariantCulture),
                p.Prediction.ToString(CultureInfo.InvariantCulture),
                .. p.Probabilities.Select(x => x.ToString("F6", CultureInfo.InvariantCulture))]);
        writer.Flush();
    });

    /// <summary>Accuracy, the confusion matrix and per-class precision/recall, as the CLI prints them.</summary>
    public string Summary()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"Accuracy: {Accuracy.ToString("F4", CultureInfo.InvariantCulture)}");
        sb.AppendLine($"Accuracy 95% CI (Wilson): {AccuracyInterval}");
        if (Binary is { } b)
            sb.AppendLine($"ROC AUC ({Classes[1]}): {Format(b.RocAuc)}; " +
                $"average precision: {Format(b.AveragePrecision)}");
        sb.AppendLine($"Images: {Predictions.Count} ({Correct} correct), {Elapsed.TotalSeconds:F2} s, " +
            $"{EncodedImages} encoded (the rest from the cache)");
        if (Predictions.Select(p => p.Label).Distinct().ToList() is [int only])
            sb.AppendLine($"Note: every image is labelled '{Classes[only]}' (a single class): " +
                "the accuracy is that class's recall alone");
        sb.AppendLine();
        sb.Append(Confusion);
        sb.AppendLine();
        for (int c = 0; c < Classes.Count; c++)
            sb.AppendLine(
                $"{Classes[c]}: precision {Format(Confusion.Precision(c))}, recall {Format(Confusion.Recall(c))}");
        return sb.ToString();
    }

    static string Format(double v) => double.IsNaN(v) ? "n/a" : v.ToString("F4", CultureInfo.InvariantCulture);
}
