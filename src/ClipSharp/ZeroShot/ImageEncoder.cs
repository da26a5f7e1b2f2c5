using System.Collections.Concurrent;
using ClipSharp.Imaging;
using ClipSharp.Modeling;
using static TorchSharp.torch;

namespace ClipSharp.ZeroShot;

/// <summary>The one "image files → features" pipeline: each file is read once, hashed for the embedding cache (when
/// given) and, on a miss, decoded and preprocessed from memory on worker threads one batch ahead of the model, so
/// decoding and encoding overlap. Unreadable images follow <see cref="Errors"/>.</summary>
public sealed class ImageEncoder(ClipModel model, EmbeddingCache? cache = null, int batchSize = 32)
{
    /// <summary>Images run through the image tower by this encoder (cache hits excluded).</summary>
    public int EncodedImages { get; private set; }

    /// <summary>Threads that read, hash, decode and preprocess the next batch while the model encodes the previous
    /// one; 0 decodes each batch with every core between encodings instead (no thread competes with the tower's).
    /// On 2 busy cores, with the tower's threads waiting passively, both gave the same end-to-end time.</summary>
    public int DecodeThreads { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Throw at unreadable images (the default) or skip and list them.</summary>
    public ImageErrorPolicy Errors { get; init; } = ImageErrorPolicy.Throw;

    /// <summary>A batch handed from the decoding side to the encoder: the images to encode (null when all were cache
    /// hits), their indices and cache keys, and how many images of the chunk it covers.</summary>
    sealed record Chunk(int[] Indices, string?[] Keys, Tensor? Images, int Covered);

    /// <summary>Image features [n, D] in the order of <paramref name="paths"/> (under
    /// <see cref="ImageErrorPolicy.Throw"/>); <paramref name="progress"/> gets the count done.</summary>
    public Tensor Features(IReadOnlyList<string> paths, Action<int>? progress = null)
    {
        if (Errors != ImageErrorPolicy.Throw)
            throw new InvalidOperationException("Features needs ImageErrorPolicy.Throw; use Encode to collect errors");
        using var encoded = Encode(paths, progress);
        return encoded.Features.alias();
    }

    /// <summary>The features of every image that could be encoded, with the failures (see <see cref="Errors"/>).
    /// </summary>
    public EncodedImages Encode(IReadOnlyList<string> paths, Action<int>? progress = null)
    {
        var features = new Tensor?[paths.Count];
        var failures = new ConcurrentBag<ImageFailure>();
        if (DecodeThreads <= 0) return EncodeInTurn(paths, features, failures, progress);
        using var stop = new CancellationTokenSource();
        using var ready = new BlockingCollection<Chunk>(boundedCapacity: 1);
        var producer = Task.Run(() => Produce(paths, features, failures, ready, stop.Token));
        int done = 0;
        try
        {
            foreach (var chunk in ready.GetConsumingEnumerable(stop.Token))
            {
                if (chunk.Images is not null) EncodeChunk(chunk, features);
                done += chunk.Covered;
                progress?.Invoke(done);
            }
            producer.GetAwaiter().GetResult(); // a decoding error surfaces here
        }
        catch
        {
            // Stop the decoder and wait for it before freeing anything: it may still write cache hits into
            // features, or hold a decoded batch; a batch left in the queue is freed too.
            stop.Cancel();
            try { producer.Wait(); }
            catch (AggregateException) { } // cancelled, or the decoding error already being thrown
            while (ready.TryTake(out var left)) left.Images?.Dispose();
            foreach (var f in features) f?.Dispose();
            throw;
        }
        return Collected(features, failures);
    }

    /// <summary>Each batch decoded with every core, then encoded with every core: no thread waits for another.
    /// </summary>
    EncodedImages EncodeInTurn(IReadOnlyList<string> paths, Tensor?[] features,
        ConcurrentBag<ImageFailure> failures, Action<int>? progress)
    {
        var preprocessor = new ClipPreprocessor(model.ImageResolution);
        try
        {
            for (int start = 0; start < paths.Count; start += batchSize)
            {
                var chunk = Decode(paths, start, preprocessor, Environment.ProcessorCount, features, failures,
                    CancellationToken.None);
                if (chunk.Images is not null) EncodeChunk(chunk, features);
                progress?.Invoke(start + chunk.Covered);
            }
        }
        catch
        {
            foreach (var f in features) f?.Dispose();
            throw;
        }
        return Collected(features, failures);
    }

    EncodedImages Collected(Tensor?[] features, ConcurrentBag<ImageFailure> failures)
    {
        cache?.Save();
        int[] indices = [.. Enumerable.Range(0, features.Length).Where(i => features[i] is not null)];
        var all = indices.Length == 0 ? zeros(0, model.Config.EmbedDim)
            : stack(indices.Select(i => features[i]!), 0);
        foreach (var f in features) f?.Dispose();
        return new EncodedImages(all, indices, [.. failures.OrderBy(f => f.Index)]);
    }

    void EncodeChunk(Chunk chunk, Tensor?[] features)
    {
        using var images = chunk.Images!;
        using var encoded = model.EncodeImage(images);
        for (int j = 0; j < chunk.Indices.Length; j++)
        {
            features[chunk.Indices[j]] = encoded[j].clone();
            if (chunk.Keys[j] is { } key) cache!.Add(key, features[chunk.Indices[j]]!);
        }
        EncodedImages += chunk.Indices.Length;
    }

    void Produce(IReadOnlyList<string> paths, Tensor?[] features, ConcurrentBag<ImageFailure> failures,
        BlockingCollection<Chunk> ready, CancellationToken cancel)
    {
        try
        {
            var preprocessor = new ClipPreprocessor(model.ImageResolution);
            for (int start = 0; start < paths.Count; start += batchSize)
            {
                // The encoder waits for the first batch: decode it with every core, the rest beside the encoder.
                int threads = start == 0 ? Environment.ProcessorCount : DecodeThreads;
                var chunk = Decode(paths, start, preprocessor, threads, features, failures, cancel);
                try { ready.Add(chunk, cancel); }
                catch (OperationCanceledException) { chunk.Images?.Dispose(); throw; }
            }
        }
        finally
        {
            ready.CompleteAdding();
        }
    }

    /// <summary>The batch of images from <paramref name="start"/>: each file read, looked up in the cache, on a miss
    /// decoded and preprocessed; failures thrown or collected as <see cref="Errors"/> says.</summary>
    Chunk Decode(IReadOnlyList<string> paths, int start, ClipPreprocessor preprocessor, int threads,
        Tensor?[] features, ConcurrentBag<ImageFailure> failures, CancellationToken cancel)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancel };
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
        if (Errors == ImageErrorPolicy.Throw && errors.Any(e => e is not null))
            throw new ImageException(string.Join("\n", errors.Where(e => e is not null)));
        for (int j = 0; j < count; j++)
            if (errors[j] is { } message) failures.Add(new ImageFailure(start + j, paths[start + j], message));
        var misses = Enumerable.Range(0, count).Where(j => pixels[j] is not null).ToArray();
        var images = misses.Length == 0 ? null : preprocessor.Stack([.. misses.Select(j => pixels[j])]);
        return new Chunk([.. misses.Select(j => start + j)], [.. misses.Select(j => keys[j])], images, count);
    }
}
