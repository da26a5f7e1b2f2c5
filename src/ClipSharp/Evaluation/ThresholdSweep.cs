namespace ClipSharp.Evaluation;

/// <summary>A two-class decision rule "positive when the score is above t", swept over t: accuracy, true and false
/// positive rates at every threshold where they change. With P(second class) as the score, t = 0.5 is the argmax rule
/// (which calls a tie for the first class, as "above" does).</summary>
public sealed class ThresholdSweep
{
    /// <summary>The thresholds, ascending: 0, each distinct score inside (0, 1), and 1. Each value holds from its
    /// threshold up to the next one.</summary>
    public IReadOnlyList<double> Thresholds { get; }
    public IReadOnlyList<double> Accuracy { get; }
    public IReadOnlyList<double> TruePositiveRates { get; }
    public IReadOnlyList<double> FalsePositiveRates { get; }

    readonly ThresholdSteps steps;

    ThresholdSweep(ThresholdSteps steps)
    {
        this.steps = steps;
        var cuts = steps.Steps.Select(s => s.Score).Where(s => s > 0 && s < 1).Reverse().ToList();
        Thresholds = [0.0, .. cuts, 1.0];
        var at = Thresholds.Select(Counts).ToList();
        int n = steps.Count - steps.Positives;
        Accuracy = [.. at.Select(c => steps.Count == 0 ? double.NaN
            : (double)(c.TruePositives + n - c.FalsePositives) / steps.Count)];
        TruePositiveRates = [.. at.Select(c => steps.Positives == 0 ? double.NaN
            : (double)c.TruePositives / steps.Positives)];
        FalsePositiveRates = [.. at.Select(c => n == 0 ? double.NaN : (double)c.FalsePositives / n)];
    }

    public static ThresholdSweep Of(IReadOnlyList<double> scores, IReadOnlyList<bool> positive) =>
        new(ThresholdSteps.Of(scores, positive));

    /// <summary>The sweep of a two-class evaluation's P(second class) against its labels; null unless there are
    /// exactly two classes.</summary>
    public static ThresholdSweep? Of(EvaluationResult result) => result.Classes.Count != 2 ? null
        : Of([.. result.Predictions.Select(p => (double)p.Probabilities[1])],
            [.. result.Predictions.Select(p => p.Label == 1)]);

    /// <summary>The share of images classified right when those scoring above <paramref name="threshold"/> are called
    /// positive.</summary>
    public double AccuracyAt(double threshold)
    {
        var c = Counts(threshold);
        return steps.Count == 0 ? double.NaN
            : (double)(c.TruePositives + steps.Count - steps.Positives - c.FalsePositives) / steps.Count;
    }

    /// <summary>Cumulative counts of the scores above the threshold: those of the last step (scores descend) whose
    /// score exceeds it, found by bisection; none when no score does.</summary>
    ThresholdSteps.Step Counts(double threshold)
    {
        int low = 0, high = steps.Steps.Count; // first index whose score is at most the threshold
        while (low < high)
        {
            int middle = (low + high) / 2;
            if (steps.Steps[middle].Score > threshold) low = middle + 1; else high = middle;
        }
        return low == 0 ? default : steps.Steps[low - 1];
    }
}
