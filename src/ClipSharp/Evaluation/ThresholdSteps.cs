namespace ClipSharp.Evaluation;

/// <summary>Scores sorted from highest to lowest and cut at each distinct value: the cumulative true and false
/// positives when everything scoring at least that value is called positive. Tied scores are one step, as
/// scikit-learn's ROC and precision–recall curves treat them.</summary>
public sealed record ThresholdSteps(IReadOnlyList<ThresholdSteps.Step> Steps, int Positives, int Count)
{
    public readonly record struct Step(double Score, int TruePositives, int FalsePositives);

    public static ThresholdSteps Of(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        if (scores.Count != positive.Count)
            throw new ArgumentException($"{scores.Count} scores but {positive.Count} labels");
        if (scores.Any(double.IsNaN)) throw new ArgumentException("A score is NaN");
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        var steps = new List<Step>();
        int tp = 0, fp = 0;
        for (int k = 0; k < order.Length; k++)
        {
            if (positive[order[k]]) tp++; else fp++;
            if (k + 1 == order.Length || scores[order[k + 1]] != scores[order[k]])
                steps.Add(new Step(scores[order[k]], tp, fp));
        }
        return new ThresholdSteps(steps, tp, order.Length);
    }
}
