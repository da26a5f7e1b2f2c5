using ClipSharp.Checkpoints;
using static TorchSharp.torch;

namespace ClipSharp.ZeroShot;

/// <summary>
/// Image embeddings on disk, one safetensors file per model checksum and preprocessing setting, keyed by the image
/// file's SHA-256: a new prompt set re-encodes no image, while a changed image or model misses. bf16 features are
/// kept apart from fp32 ones. Thread-safe: the evaluator looks images up while it stores others.
/// </summary>
public sealed class EmbeddingCache : IDisposable
{
    public const string PreprocessingVersion = "clip-preprocess-v1 (pillow bicubic, center crop, rgb, clip mean/std)";

    readonly string path;
    readonly Dictionary<string, Tensor> entries;
    readonly Dictionary<string, string> metadata;
    bool dirty;

    public string FilePath => path;
    public int Count => entries.Count;

    public EmbeddingCache(string directory, string modelChecksum, int imageSize, ScalarType imageDType = ScalarType.Float32)
    {
        string precision = imageDType == ScalarType.Float32 ? "" : $"-{imageDType.ToString().ToLowerInvariant()}";
        path = Path.Combine(directory, $"{modelChecksum[..16]}-{imageSize}px{precision}.safetensors");
        metadata = new() { ["model_sha256"] = modelChecksum, ["image_size"] = imageSize.ToString(), ["preprocessing"] = PreprocessingVersion,
            ["image_dtype"] = imageDType.ToString() };
        entries = new();
        if (File.Exists(path))
        {
            try
            {
                using var stored = SafeTensors.Read(path);
                if (new[] { "model_sha256", "preprocessing", "image_dtype" }.All(k => stored.Metadata.GetValueOrDefault(k) == metadata[k]))
                    foreach (var (k, t) in stored.Tensors) entries[k] = t.clone();
            }
            catch (CheckpointException) { /* a damaged cache is rebuilt, never trusted */ }
        }
    }

    /// <summary>The cache of a loaded model (keyed by its checkpoint's SHA-256, resolution and image dtype);
    /// <c>.cache/embeddings</c> of the workspace by default.</summary>
    public static EmbeddingCache For(Modeling.ClipModel model, string? directory = null) =>
        new(directory ?? Path.Combine(WorkspacePaths.Root, ".cache", "embeddings"),
            ModelDownloader.Sha256Of(model.SourcePath ?? throw new ArgumentException("The embedding cache needs a model loaded from a checkpoint file")),
            model.ImageResolution, model.ImageDType);

    /// <summary>The key of an image: the SHA-256 of its file's bytes.</summary>
    public static string ContentKey(byte[] imageFile) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(imageFile));

    /// <summary>The stored embedding of an image (a new handle: the caller disposes it), or null.</summary>
    public Tensor? TryGet(string contentKey)
    {
        lock (entries) return entries.TryGetValue(contentKey, out var t) ? t.alias() : null;
    }

    public void Add(string contentKey, Tensor embedding)
    {
        var copy = embedding.detach().clone();
        lock (entries)
        {
            if (entries.TryGetValue(contentKey, out var old)) old.Dispose();
            entries[contentKey] = copy;
            dirty = true;
        }
    }

    /// <summary>Writes the cache (atomically) if anything was added.</summary>
    public void Save()
    {
        lock (entries)
        {
            if (!dirty) return;
            SafeTensors.Write(path, entries, metadata);
            dirty = false;
        }
    }

    public void Dispose()
    {
        Save();
        lock (entries)
        {
            foreach (var t in entries.Values) t.Dispose();
            entries.Clear();
        }
    }
}
