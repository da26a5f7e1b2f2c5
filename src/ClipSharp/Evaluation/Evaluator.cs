using System.Collections.Concurrent;
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

    /// <summary>Threads that read, hash, decode and preprocess images while the model encodes the previous batch.</summary>
    public int DecodeThreads { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>A batch handed from the decoding side to the encoder: the images to encode (null when all were cache
    /// hits), their indices and cache keys, and how many images of the chunk it covers.</summary>
    sealed record Chunk(int[] Indices, string?[] Keys, Tensor? Images, int Covered);

    /// <summary>Image features [n, D] in the order of <paramref name="paths"/>; <paramref name="progress"/> gets the count done.
    /// Each file is read once: its bytes are hashed for the cache and, on a miss, decoded from memory. Decoding runs one
    /// batch ahead of encoding, so the two overlap.</summary>
    public Tensor ImageFeatures(IReadOnlyList<string> paths, Action<int>? progress = null)
    {
        var features = new Tensor?[paths.Count];
        using var stop = new CancellationTokenSource();
        using var ready = new BlockingCollection<Chunk>(boundedCapacity: 1);
        var producer = Task.Run(() => Produce(paths, features, ready, stop.Token));
        int done = 0;
        try
        {
            foreach (var chunk in ready.GetConsumingEnumerable(stop.Token))
            {
                if (chunk.Images is not null)
                {
                    using var images = chunk.Images;
                    using var encoded = model.EncodeImage(images);
                    for (int j = 0; j < chunk.Indices.Length; j++)
                    {
                        features[chunk.Indices[j]] = encoded[j].clone();
                        if (chunk.Keys[j] is { } key) cache!.Add(key, features[chunk.Indices[j]]!);
                    }
                    EncodedImages += chunk.Indices.Length;
                }
                done += chunk.Covered;
                progress?.Invoke(done);
            }
            producer.GetAwaiter().GetResult(); // a decoding error surfaces here
        }
        catch
        {
            stop.Cancel();
            foreach (var f in features) f?.Dispose();
            throw;
        }
        cache?.Save();
        if (paths.Count == 0) return zeros(0, model.Config.EmbedDim);
        var all = stack(features!, 0);
        foreach (var f in features) f!.Dispose();
        return all;
    }

    void Produce(IReadOnlyList<string> paths, Tensor?[] features, BlockingCollection<Chunk> ready, CancellationToken cancel)
    {
        try
        {
            var preprocessor = new ClipPreprocessor(model.ImageResolution);
            for (int start = 0; start < paths.Count; start += batchSize)
            {
                // The encoder waits for the first batch: decode it with every core, the rest beside the encoder.
                var options = new ParallelOptions { MaxDegreeOfParallelism = start == 0 ? Environment.ProcessorCount : DecodeThreads, CancellationToken = cancel };
                int count = Math.Min(batchSize, paths.Count - start);
                var pixels = new byte[count][];
                var keys = new string?[count];
                var errors = new string?[count];
                Parallel.For(0, count, options, j =>
                {
                    string path = paths[start + j];
                    try
                    {
                        byte[] bytes = ImageLoader.ReadFile(path);
                        if (cache is not null)
                        {
                            keys[j] = EmbeddingCache.ContentKey(bytes);
                            if (cache.TryGet(keys[j]!) is { } hit) { features[start + j] = hit; return; }
                        }
                        pixels[j] = preprocessor.Pixels(bytes, path);
                    }
                    catch (ImageException e) { errors[j] = e.Message; }
                });
                if (errors.Any(e => e is not null)) throw new ImageException(string.Join("\n", errors.Where(e => e is not null)));
                var misses = Enumerable.Range(0, count).Where(j => pixels[j] is not null).ToArray();
                var images = misses.Length == 0 ? null : preprocessor.Stack([.. misses.Select(j => pixels[j])]);
                ready.Add(new Chunk([.. misses.Select(j => start + j)], [.. misses.Select(j => keys[j])], images, count), cancel);
            }
        }
        finally
        {
            ready.CompleteAdding();
        }
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
