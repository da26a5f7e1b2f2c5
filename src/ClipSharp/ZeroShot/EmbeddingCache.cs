using ClipSharp.Checkpoints;
using static TorchSharp.torch;

namespace ClipSharp.ZeroShot;

/// <summary>
/// Image embeddings on disk, one safetensors file per model checksum and preprocessing setting, keyed by the image
/// file's SHA-256: a new prompt set re-encodes no image, while a changed image or model misses.
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

    public EmbeddingCache(string directory, string modelChecksum, int imageSize)
    {
        path = Path.Combine(directory, $"{modelChecksum[..16]}-{imageSize}px.safetensors");
        metadata = new() { ["model_sha256"] = modelChecksum, ["image_size"] = imageSize.ToString(), ["preprocessing"] = PreprocessingVersion };
        entries = new();
        if (File.Exists(path))
        {
            try
            {
                using var stored = SafeTensors.Read(path);
                if (stored.Metadata.GetValueOrDefault("model_sha256") == modelChecksum && stored.Metadata.GetValueOrDefault("preprocessing") == PreprocessingVersion)
                    foreach (var (k, t) in stored.Tensors) entries[k] = t.clone();
            }
            catch (CheckpointException) { /* a damaged cache is rebuilt, never trusted */ }
        }
    }

    /// <summary>The cache for a model loaded from <paramref name="checkpointPath"/>; <c>.cache/embeddings</c> of the workspace by default.</summary>
    public static EmbeddingCache For(string checkpointPath, int imageSize, string? directory = null) =>
        new(directory ?? Path.Combine(WorkspacePaths.Root, ".cache", "embeddings"), ModelDownloader.Sha256Of(checkpointPath), imageSize);

    public static string ContentKey(string imagePath) => ModelDownloader.Sha256Of(imagePath);

    public Tensor? TryGet(string contentKey) => entries.TryGetValue(contentKey, out var t) ? t : null;

    public void Add(string contentKey, Tensor embedding)
    {
        if (entries.TryGetValue(contentKey, out var old)) old.Dispose();
        entries[contentKey] = embedding.detach().clone();
        dirty = true;
    }

    /// <summary>Writes the cache (atomically) if anything was added.</summary>
    public void Save()
    {
        if (!dirty) return;
        SafeTensors.Write(path, entries, metadata);
        dirty = false;
    }

    public void Dispose()
    {
        Save();
        foreach (var t in entries.Values) t.Dispose();
        entries.Clear();
    }
}
