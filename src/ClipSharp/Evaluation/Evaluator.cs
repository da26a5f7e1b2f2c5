using System.Diagnostics;
using ClipSharp.Modeling;
using ClipSharp.ZeroShot;
using static TorchSharp.torch;

namespace ClipSharp.Evaluation;

/// <summary>Scores a zero-shot classifier on labelled images, whose features come from the one image pipeline
/// (<see cref="ImageEncoder"/>, through the embedding cache when given).</summary>
public sealed class Evaluator(ClipModel model, EmbeddingCache? cache = null, int batchSize = 32)
{
    /// <summary>The image pipeline this evaluator encodes with.</summary>
    public ImageEncoder Images { get; } = new(model, cache, batchSize);

    /// <summary>Images run through the image tower by this evaluator (cache hits excluded).</summary>
    public int EncodedImages => Images.EncodedImages;

    /// <summary>Image features [n, D] in the order of <paramref name="paths"/> (<see cref="ImageEncoder.Features"/>).
    /// </summary>
    public Tensor ImageFeatures(IReadOnlyList<string> paths, Action<int>? progress = null) =>
        Images.Features(paths, progress);

    public EvaluationResult Evaluate(LabeledImageSet set, ZeroShotClassifier classifier, Action<int>? progress = null)
    {
        if (set.Images.Count == 0) throw new ArgumentException($"No images to evaluate in '{set.Source}'");
        var clock = Stopwatch.StartNew();
        int encodedBefore = EncodedImages;
        using var features = ImageFeatures([.. set.Images.Select(i => i.Path)], progress);
        var names = set.Images.Select(i => Path.GetFileName(i.Path)).ToList();
        var similarity = classifier.Similarity(features, names);
        var probabilities = similarity.Probabilities;
        var predicted = similarity.ArgMax();
        var confusion = new ConfusionMatrix(set.Classes);
        var predictions = new List<ImagePrediction>();
        for (int i = 0; i < set.Images.Count; i++)
        {
            confusion.Add(set.Images[i].Label, predicted[i]);
            predictions.Add(new ImagePrediction(names[i], set.Images[i].Label, predicted[i],
                [.. Enumerable.Range(0, set.Classes.Count).Select(c => probabilities[i, c])],
                [.. Enumerable.Range(0, set.Classes.Count).Select(c => similarity.Cosine[i, c])]));
        }
        return new EvaluationResult(predictions, confusion, similarity, clock.Elapsed, EncodedImages - encodedBefore);
    }
}
