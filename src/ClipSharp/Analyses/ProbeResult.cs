using ClipSharp.Evaluation;

namespace ClipSharp.Analyses;

/// <summary>A linear probe trained on K shots per class and scored on the other images, beside the zero-shot
/// classifier on the same test images. Predictions are the test images', in the data set's order.</summary>
public sealed record ProbeResult(int Shots, int TrainImages, IReadOnlyList<ImagePrediction> Predictions,
    double ZeroShotTestAccuracy, LinearProbe Probe)
{
    public int TestImages => Predictions.Count;
    public double TestAccuracy =>
        Predictions.Count == 0 ? double.NaN : (double)Predictions.Count(p => p.Correct) / Predictions.Count;
}
