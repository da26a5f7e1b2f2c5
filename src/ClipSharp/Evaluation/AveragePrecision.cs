namespace ClipSharp.Evaluation;

/// <summary>Average precision, sum over thresholds of (R_n − R_{n−1}) · P_n with thresholds at the distinct scores
/// from highest to lowest (tied scores are one threshold, as scikit-learn's <c>average_precision_score</c> does;
/// no interpolation). NaN when there is no positive.</summary>
public static class AveragePrecision
{
    public static double Of(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        var steps = ThresholdSteps.Of(scores, positive);
        if (steps.Positives == 0) return double.NaN;
        double sum = 0, previousRecall = 0;
        foreach (var step in steps.Steps)
        {
            double recall = (double)step.TruePositives / steps.Positives;
            double precision = (double)step.TruePositives / (step.TruePositives + step.FalsePositives);
            sum += (recall - previousRecall) * precision;
            previousRecall = recall;
        }
        return sum;
    }
}
