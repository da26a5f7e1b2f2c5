using System.Diagnostics;
using ClipSharp.Imaging;
using ClipSharp.Modeling;
using ClipSharp.ZeroShot;
using static TorchSharp.torch;

namespace ClipSharp.Evaluation;

/// <summary>Encodes labelled images (through the embedding cache when given) and scores a zero-shot classifier on them.</summary>
public sealed class Evaluator(ClipModel model, EmbeddingCache? cache = null, int batchSize = 32)
{
    /// <summary>Images run through the image tower by this evaluator (cache hits excluded).</summary>
    public int EncodedImages { get; private set; }

    /// <summary>Image features [n, D] in the order of <paramref name="paths"/>; <paramref name="progress"/> gets the count done.</summary>
    public Tensor ImageFeatures(IReadOnlyList<string> paths, Action<int>? progress = null)
    {
        var keys = cache is null ? null : paths.AsParallel().AsOrdered().Select(EmbeddingCache.ContentKey).ToArray();
        var features = new Tensor?[paths.Count];
        var missing = new List<int>();
        for (int i = 0; i < paths.Count; i++)
        {
            var hit = keys is null ? null : cache!.TryGet(keys[i]);
            if (hit is null) missing.Add(i); else features[i] = hit.alias();
        }
        int done = paths.Count - missing.Count;
        progress?.Invoke(done);

        var preprocessor = new ClipPreprocessor(model.ImageResolution);
        for (int start = 0; start < missing.Count; start += batchSize)
        {
            var chunk = missing.Skip(start).Take(batchSize).ToList();
            using var batch = preprocessor.Batch([.. chunk.Select(i => paths[i])]);
            if (batch.Errors.Count > 0) throw new ImageException(string.Join("\n", batch.Errors.Select(e => e.Message)));
            using var encoded = model.EncodeImage(batch.Images);
            for (int j = 0; j < chunk.Count; j++)
            {
                features[chunk[j]] = encoded[j].clone();
                if (keys is not null) cache!.Add(keys[chunk[j]], features[chunk[j]]!);
            }
            EncodedImages += chunk.Count;
            done += chunk.Count;
            progress?.Invoke(done);
        }
        cache?.Save();
        if (paths.Count == 0) return zeros(0, model.Config.EmbedDim);
        var all = stack(features!, 0);
        foreach (var f in features) f!.Dispose();
        return all;
    }

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
