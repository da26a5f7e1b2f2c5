using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using ClipSharp.Checkpoints;
using ClipSharp.Settings;
using static TorchSharp.torch;

namespace ClipSharp.ZeroShot;

/// <summary>
/// Image embeddings on disk, one safetensors file per model checksum and preprocessing setting, keyed by the image
/// file's SHA-256: a new prompt set re-encodes no image, while a changed image or model misses. bf16 features are
/// kept apart from fp32 ones. Thread-safe: the evaluator looks images up while it stores others.
/// <para>Nothing on disk is trusted: each entry is stored with a SHA-256 of its key and float bytes, and is used only
/// when that checksum matches, its shape is [D] (the model's embedding width) and every value is finite. A bad entry
/// or a damaged file is dropped (and so recomputed) with a message in <see cref="Warnings"/>. Saving takes an
/// exclusive lock on <c>FILE.lock</c>, re-reads the file and keeps the entries another process added meanwhile, so
/// concurrent evaluations lose nothing.</para>
/// </summary>
public sealed class EmbeddingCache : IDisposable
{
    public const string PreprocessingVersion = "clip-preprocess-v1 (pillow bicubic, center crop, rgb, clip mean/std)";

    /// <summary>The metadata key prefix of an entry's checksum: <c>sha256:KEY</c>.</summary>
    public const string ChecksumKeyPrefix = "sha256:";

    // How long Save waits for another process's lock before it gives up (with a warning).
    static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);

    const int MaxEntryWarnings = 20; // per read of the file; the rest are counted in one line
    static readonly string[] IdentityKeys = ["model_sha256", "preprocessing", "image_dtype"];

    readonly string path;
    readonly int embedDim;
    readonly Dictionary<string, Tensor> entries = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> metadata;
    readonly List<string> warnings = [];
    bool dirty, disposed;

    /// <summary>The safetensors file of the cache (it may not exist yet).</summary>
    public string FilePath => path;

    /// <summary>The file <see cref="Save"/> locks (never written to, never deleted).</summary>
    public string LockPath => LockPathOf(path);
    public int EmbedDim => embedDim;
    public int Count { get { lock (entries) return entries.Count; } }

    /// <summary>What was wrong with the file on disk (bad entries dropped, a damaged file rebuilt, a save that failed),
    /// oldest first. The entries concerned were not used.</summary>
    public IReadOnlyList<string> Warnings { get { lock (warnings) return [.. warnings]; } }

    public EmbeddingCache(string directory, string modelChecksum, int imageSize, int embedDim,
        ScalarType imageDType = ScalarType.Float32)
    {
        if (modelChecksum.Length < 16)
            throw new ArgumentException($"A model checksum has at least 16 characters; got '{modelChecksum}'");
        if (embedDim < 1) throw new ArgumentException($"The embedding width must be positive; got {embedDim}");
        this.embedDim = embedDim;
        path = FilePathOf(directory, modelChecksum, imageSize, imageDType);
        metadata = new()
        {
            ["model_sha256"] = modelChecksum, ["image_size"] = imageSize.ToString(),
            ["preprocessing"] = PreprocessingVersion, ["image_dtype"] = imageDType.ToString(),
            ["embed_dim"] = embedDim.ToString(),
        };
        var stored = ReadStored(skip: null, out bool clean);
        foreach (var (key, tensor) in stored) entries[key] = tensor;
        dirty = !clean; // the next save writes the file without what was dropped
    }

    /// <summary>The cache of a loaded model (keyed by its checkpoint's SHA-256, resolution and image dtype);
    /// <c>.cache/embeddings</c> of the workspace by default.</summary>
    public static EmbeddingCache For(Modeling.ClipModel model, string? directory = null) =>
        new(directory ?? DefaultDirectory,
            // the hash of the very bytes the model was built from, so a file swapped after loading cannot poison it
            ChecksumOf(model), model.ImageResolution, model.Config.EmbedDim, model.ImageDType);

    /// <summary>The <see cref="FilePath"/> that <see cref="For"/> gives, without reading the file: what a command
    /// checks its outputs against before it opens the cache (see <see cref="LockPathOf"/> for its lock).</summary>
    public static string FilePathFor(Modeling.ClipModel model, string? directory = null) =>
        FilePathOf(directory ?? DefaultDirectory, ChecksumOf(model), model.ImageResolution, model.ImageDType);

    static string ChecksumOf(Modeling.ClipModel model) =>
        model.Sha256 ?? throw new ArgumentException("The embedding cache needs a model loaded from a checkpoint file");

    /// <summary>The lock file of the cache file <paramref name="filePath"/>.</summary>
    public static string LockPathOf(string filePath) => filePath + ".lock";

    static string DefaultDirectory => Path.Combine(ClipSettings.Current.CacheDirectory, "embeddings");

    static string FilePathOf(string directory, string modelChecksum, int imageSize, ScalarType imageDType)
    {
        string precision = imageDType == ScalarType.Float32 ? "" : $"-{imageDType.ToString().ToLowerInvariant()}";
        return Path.Combine(directory, $"{modelChecksum[..16]}-{imageSize}px{precision}.safetensors");
    }

    /// <summary>The key of an image: the SHA-256 of its file's bytes.</summary>
    public static string ContentKey(byte[] imageFile) => Convert.ToHexStringLower(SHA256.HashData(imageFile));

    /// <summary>The checksum an entry is stored with: SHA-256 of its key, a zero byte and its float32 bytes.</summary>
    public static string EntryChecksum(string contentKey, Tensor embedding)
    {
        var key = Encoding.UTF8.GetBytes(contentKey);
        var bytes = TensorBytes.ToBytes(embedding); // it makes (and frees) its own contiguous copy
        var all = new byte[key.Length + 1 + bytes.Length];
        key.CopyTo(all, 0);
        bytes.CopyTo(all, key.Length + 1);
        return Convert.ToHexStringLower(SHA256.HashData(all));
    }

    /// <summary>The stored embedding of an image (a new handle: the caller disposes it), or null.</summary>
    public Tensor? TryGet(string contentKey)
    {
        lock (entries) return entries.TryGetValue(contentKey, out var t) ? t.alias() : null;
    }

    /// <summary>Stores an image's embedding ([D] float); one with NaN or infinite values is not stored (a
    /// warning).</summary>
    public void Add(string contentKey, Tensor embedding)
    {
        if (embedding.shape is not [var width] || width != embedDim)
            throw new ArgumentException($"The embedding cache '{path}' holds [{embedDim}] embeddings; " +
                $"got {TensorBytes.Shape(embedding.shape)}");
        Tensor copy;
        using (var scope = NewDisposeScope()) // the intermediate handles die here, the copy lives on
            copy = scope.MoveToOuter(embedding.detach().to_type(ScalarType.Float32).contiguous().clone());
        lock (entries)
        {
            if (!AllFinite(copy))
            {
                copy.Dispose();
                Warn($"The embedding of image '{contentKey}' holds NaN or infinite values: it is not cached");
                return;
            }
            if (entries.TryGetValue(contentKey, out var old)) old.Dispose();
            entries[contentKey] = copy;
            dirty = true;
        }
    }

    /// <summary>Writes the cache (atomically, merged with what other processes saved meanwhile) if anything changed.
    /// A cache that cannot be saved is not an error of the evaluation: it becomes a warning.</summary>
    public void Save()
    {
        lock (entries)
        {
            if (!dirty) return;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                using var fileLock = AcquireLock();
                if (fileLock is null)
                {
                    Warn($"The embedding cache '{path}' was not saved: another process held '{path}.lock' " +
                         $"for {LockTimeout.TotalSeconds:0} s");
                    return;
                }
                foreach (var (key, tensor) in ReadStored(skip: entries.Keys.ToHashSet(), out _)) entries[key] = tensor;
                var stored = new Dictionary<string, string>(metadata);
                foreach (var (key, tensor) in entries) stored[ChecksumKeyPrefix + key] = EntryChecksum(key, tensor);
                SafeTensors.Write(path, entries, stored);
                dirty = false;
            }
            catch (Exception e) when (e is ClipSharpException or IOException or UnauthorizedAccessException)
            {
                Warn($"The embedding cache '{path}' was not saved: {e.Message}");
            }
        }
    }

    public void Dispose()
    {
        if (disposed) return;
        Save();
        lock (entries)
        {
            foreach (var t in entries.Values) t.Dispose();
            entries.Clear();
            disposed = true;
        }
    }

    /// <summary>The valid entries of the file on disk (new tensors), but those in <paramref name="skip"/>;
    /// <paramref name="clean"/> is false when anything was dropped.</summary>
    Dictionary<string, Tensor> ReadStored(IReadOnlySet<string>? skip, out bool clean)
    {
        var valid = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        clean = true;
        var kind = FileStatus.OfTarget(path).Kind;
        if (kind == FileKind.Missing) return valid;
        if (kind != FileKind.RegularFile) // a FIFO would block the reader forever
        {
            Warn($"The embedding cache '{path}' is not a regular file ({kind}): it is not used");
            clean = false;
            return valid;
        }
        Checkpoint stored;
        try { stored = SafeTensors.Read(path); }
        catch (Exception e) when (e is ClipSharpException or IOException or UnauthorizedAccessException)
        {
            Warn($"The embedding cache '{path}' cannot be read and is rebuilt: {e.Message}");
            clean = false;
            return valid;
        }
        using (stored)
        {
            if (IdentityKeys.FirstOrDefault(k => stored.Metadata.GetValueOrDefault(k) != metadata[k]) is { } differs)
            {
                Warn($"The embedding cache '{path}' belongs to another model or setting ({differs} " +
                     $"'{stored.Metadata.GetValueOrDefault(differs)}', expected '{metadata[differs]}'): it is rebuilt");
                clean = false;
                return valid;
            }
            int dropped = 0;
            foreach (var (key, tensor) in stored.Tensors)
            {
                if (skip is not null && skip.Contains(key)) continue;
                if (Problem(key, tensor, stored.Metadata.GetValueOrDefault(ChecksumKeyPrefix + key)) is not { } problem)
                {
                    valid[key] = tensor.clone();
                    continue;
                }
                clean = false;
                if (++dropped <= MaxEntryWarnings)
                    Warn($"The embedding cache '{path}': entry '{key}' {problem}; " +
                         "it is dropped, never used (the image is encoded again when needed)");
            }
            if (dropped > MaxEntryWarnings)
                Warn($"The embedding cache '{path}': {dropped - MaxEntryWarnings} more bad entries are not used");
        }
        return valid;
    }

    /// <summary>Why a stored entry cannot be trusted, or null when it can.</summary>
    string? Problem(string key, Tensor tensor, string? checksum)
    {
        if (key.Length != 64 || !key.All(char.IsAsciiHexDigitLower)) return "is not an image key (a SHA-256 in hex)";
        if (tensor.dtype != ScalarType.Float32) return $"is {tensor.dtype}, not Float32";
        if (tensor.shape is not [var width] || width != embedDim)
            return $"has shape {TensorBytes.Shape(tensor.shape)}, not [{embedDim}] (this model's embedding width)";
        if (!AllFinite(tensor)) return "holds NaN or infinite values";
        if (checksum is null) return "has no checksum";
        if (checksum != EntryChecksum(key, tensor)) return "does not match its checksum (changed on disk)";
        return null;
    }

    static bool AllFinite(Tensor t)
    {
        using var finite = isfinite(t).all();
        return finite.item<bool>();
    }

    /// <summary>The exclusive lock on <c>FILE.lock</c> (FileShare.None is an exclusive flock on Unix), or null after
    /// <see cref="LockTimeout"/>. The lock file is never deleted: deleting it would let two writers lock two
    /// files.</summary>
    FileStream? AcquireLock()
    {
        // Taken by another writer: .NET reports the errno, EWOULDBLOCK (11 on Linux, 35 on macOS), or on Windows
        // a sharing violation. Any other error is not worth waiting for.
        const int Linux = 11, MacOS = 35, Windows = unchecked((int)0x80070020);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try { return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException e) when (e.HResult is Linux or MacOS or Windows)
            {
                if (clock.Elapsed >= LockTimeout) return null;
                Thread.Sleep(25);
            }
        }
    }

    void Warn(string message)
    {
        lock (warnings) if (!warnings.Contains(message)) warnings.Add(message);
    }
}
