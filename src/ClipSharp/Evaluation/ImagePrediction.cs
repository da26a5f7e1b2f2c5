namespace ClipSharp.Evaluation;

/// <summary>One image's result: true label, predicted class, each class's probability and cosine similarity.</summary>
public sealed record ImagePrediction(string File, int Label, int Prediction, float[] Probabilities, float[] Cosine)
{
    public bool Correct => Label == Prediction;
}
