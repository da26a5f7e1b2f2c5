using ClipSharp.Evaluation;
using ClipSharp.ZeroShot;
using static TorchSharp.torch;

namespace ClipSharp.Analyses;

/// <summary>Linear probes on cached image features of a labelled set, compared with the zero-shot classifier:
/// features are L2-normalised in fp32 once, then each split trains a probe and scores both on its test
/// images.</summary>
public sealed class FewShotProbe : IDisposable
{
    readonly Tensor features;
    readonly ZeroShotClassifier classifier;

    public LabeledImageSet Set { get; }
    public IReadOnlyList<int> Labels { get; }

    /// <param name="imageFeatures">[images, D] in the set's order (e.g. from <see
    /// cref="Evaluator.ImageFeatures"/>).</param>
    public FewShotProbe(LabeledImageSet set, Tensor imageFeatures, ZeroShotClassifier classifier)
    {
        if (imageFeatures.dim() != 2 || imageFeatures.shape[0] != set.Images.Count)
            throw new ArgumentException(
                $"Features [{string.Join(", ", imageFeatures.shape)}] for {set.Images.Count} images");
        Set = set;
        Labels = [.. set.Images.Select(i => i.Label)];
        this.classifier = classifier;
        using var asFloat = imageFeatures.to_type(ScalarType.Float32);
        features = asFloat / asFloat.norm(-1, keepdim: true);
    }

    public ProbeSplit FirstK(int shots) => ProbeSplit.FirstK(Labels, Set.Classes, shots, Set.Source);
    public ProbeSplit RandomK(int shots, int seed) => ProbeSplit.RandomK(Labels, Set.Classes, shots, Set.Source, seed);
    public int MaxShots => ProbeSplit.MaxShots(Labels, Set.Classes.Count);

    public ProbeResult Run(ProbeSplit split, double l2 = LinearProbe.DefaultL2)
    {
        using var trainIndex = tensor(split.Train.ToArray(), ScalarType.Int64);
        using var testIndex = tensor(split.Test.ToArray(), ScalarType.Int64);
        using var train = features.index_select(0, trainIndex);
        using var test = features.index_select(0, testIndex);
        var probe = LinearProbe.Fit(train, [.. split.Train.Select(i => Labels[i])], Set.Classes.Count, l2);
        var probabilities = probe.Probabilities(test);
        var testNames = split.Test.Select(i => Path.GetFileName(Set.Images[i].Path)).ToList();
        var zeroShot = classifier.Similarity(test, testNames).ArgMax();
        var predictions = new List<ImagePrediction>();
        int zeroShotCorrect = 0;
        for (int j = 0; j < split.Test.Count; j++)
        {
            var image = Set.Images[split.Test[j]];
            var p = Enumerable.Range(0, Set.Classes.Count).Select(c => probabilities[j, c]).ToArray();
            int predicted = Array.IndexOf(p, p.Max());
            predictions.Add(new ImagePrediction(Path.GetFileName(image.Path), image.Label, predicted, p, []));
            if (zeroShot[j] == image.Label) zeroShotCorrect++;
        }
        double zeroShotAccuracy = split.Test.Count == 0 ? double.NaN : (double)zeroShotCorrect / split.Test.Count;
        return new ProbeResult(split.Shots, split.Train.Count, predictions, zeroShotAccuracy, probe);
    }

    public void Dispose() => features.Dispose();
}
