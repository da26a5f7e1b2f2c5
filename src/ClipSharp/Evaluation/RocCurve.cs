namespace ClipSharp.Evaluation;

/// <summary>The ROC curve of scores against binary labels: one point (false positive rate, true positive rate) per
/// distinct score, highest score first, from (0, 0) to (1, 1). Tied scores form one threshold, so the area counts a
/// tied positive/negative pair as half a correctly ordered pair (the Mann–Whitney U statistic).</summary>
public sealed class RocCurve
{
    public IReadOnlyList<double> FalsePositiveRates { get; }
    public IReadOnlyList<double> TruePositiveRates { get; }
    /// <summary>The score at each point (the first point, (0, 0), has +∞).</summary>
    public IReadOnlyList<double> Thresholds { get; }
    /// <summary>Area under the curve; NaN when either class is absent.</summary>
    public double Area { get; }

    RocCurve(List<double> fpr, List<double> tpr, List<double> thresholds, double area) =>
        (FalsePositiveRates, TruePositiveRates, Thresholds, Area) = (fpr, tpr, thresholds, area);

    public static RocCurve Of(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        var steps = ThresholdSteps.Of(scores, positive);
        int p = steps.Positives, n = steps.Count - steps.Positives;
        var fpr = new List<double> { 0 };
        var tpr = new List<double> { 0 };
        var thresholds = new List<double> { double.PositiveInfinity };
        double area = 0;
        foreach (var step in steps.Steps)
        {
            double x = n == 0 ? double.NaN : (double)step.FalsePositives / n;
            double y = p == 0 ? double.NaN : (double)step.TruePositives / p;
            area += (x - fpr[^1]) * (y + tpr[^1]) / 2; // trapezoid: a tied block counts its pairs half
            fpr.Add(x);
            tpr.Add(y);
            thresholds.Add(step.Score);
        }
        return new RocCurve(fpr, tpr, thresholds, p == 0 || n == 0 ? double.NaN : area);
    }
}
