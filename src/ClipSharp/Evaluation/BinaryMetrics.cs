namespace ClipSharp.Evaluation;

/// <summary>Threshold-free metrics of a two-class evaluation: the second class (index 1) is the positive one, scored
/// by its predicted probability.</summary>
public sealed record BinaryMetrics(RocCurve Roc, double AveragePrecision)
{
    public double RocAuc => Roc.Area;

    /// <summary>The metrics of per-image predictions; null unless there are exactly two classes.</summary>
    public static BinaryMetrics? Of(IReadOnlyList<ImagePrediction> predictions, int classes)
    {
        if (classes != 2) return null;
        var scores = predictions.Select(p => (double)p.Probabilities[1]).ToArray();
        var positive = predictions.Select(p => p.Label == 1).ToArray();
        return new BinaryMetrics(RocCurve.Of(scores, positive), Evaluation.AveragePrecision.Of(scores, positive));
    }
}
