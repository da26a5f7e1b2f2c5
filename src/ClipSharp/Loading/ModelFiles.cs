using ClipSharp.Checkpoints;
using ClipSharp.Downloads;
using ClipSharp.Settings;

namespace ClipSharp.Loading;

/// <summary>A name or path to a local, verified checkpoint: registry files are downloaded on first use (with the BPE
/// vocab) and checked against their released SHA-256 before use.</summary>
public static class ModelFiles
{
    /// <summary>A checkpoint path as given, or a registry name: downloaded into the weights folder (with the vocab) on
    /// first use, and verified against its SHA-256 before use (hashed once, then trusted by its stamp).</summary>
    public static string Resolve(string nameOrPath, string? weightsDirectory = null,
        IProgress<DownloadProgress>? progress = null, string? mirror = null)
    {
        if (File.Exists(nameOrPath)) return nameOrPath;
        var model = ModelRegistry.Find(nameOrPath);
        if (model is null)
            throw new CheckpointException(LooksLikePath(nameOrPath) ? $"Checkpoint '{nameOrPath}' not found"
                : ModelRegistry.UnknownModelMessage(nameOrPath));
        string weights = weightsDirectory ?? ClipSettings.Current.WeightsDirectory;
        string path = Path.Combine(weights, model.File);
        if (File.Exists(path))
        {
            VerifiedFile.Verify(path, model.Sha256, Remedy(model));
            return path;
        }
        // on the thread pool: a caller's synchronisation context (a UI thread) cannot deadlock the download
        try { Task.Run(() => DownloadAsync(model, weights, progress, mirror)).GetAwaiter().GetResult(); }
        catch (DownloadException e)
        {
            throw new DownloadException($"{e.Message}. {model.Name} is not in {weights} and could not be downloaded: " +
                $"run `clip download {model.Name}` where the release host is reachable, or copy {model.File} " +
                $"(SHA-256 {model.Sha256}) there yourself.", e, e.StatusCode);
        }
        return path;
    }

    /// <summary>Puts a registered checkpoint and the BPE vocab into <paramref name="weightsDirectory"/>, verified: a
    /// file already there is re-hashed (a mismatch is an error offering <c>--force</c>); a missing one, or every one
    /// with <paramref name="force"/>, is downloaded. <paramref name="mirror"/> (else <c>CLIP_MIRROR</c>) must be an
    /// http(s) URL.</summary>
    public static async Task<IReadOnlyList<FetchedFile>> DownloadAsync(RegisteredModel model, string weightsDirectory,
        IProgress<DownloadProgress>? progress = null, string? mirror = null, ModelDownloader? downloader = null,
        CancellationToken cancel = default, bool force = false)
    {
        downloader ??= ModelDownloader.Default;
        mirror = DownloadMirror.Resolve(mirror);
        string remedy = Remedy(model);
        return
        [
            await FetchAsync(ModelRegistry.Vocabulary, ModelRegistry.VocabularyUrl(mirror),
                Path.Combine(weightsDirectory, ModelRegistry.Vocabulary.File)),
            await FetchAsync(model, model.Url(mirror), Path.Combine(weightsDirectory, model.File)),
        ];

        async Task<FetchedFile> FetchAsync(RegisteredModel file, Uri url, string path)
        {
            if (!force && File.Exists(path))
            {
                VerifiedFile.Verify(path, file.Sha256, remedy, ignoreStamp: true);
                return new FetchedFile(path, file.Sha256, Downloaded: false);
            }
            string sha = await downloader.DownloadAsync(url, file.Sha256, file.MaxBytes, path, progress, cancel);
            VerifiedFile.Stamp(path, sha);
            return new FetchedFile(path, sha, Downloaded: true);
        }
    }

    static string Remedy(RegisteredModel model) =>
        $"Run `clip download {model.Name} --force` to download it again, or delete it.";

    static bool LooksLikePath(string s) => s.Contains('/') && !s.StartsWith("ViT", StringComparison.OrdinalIgnoreCase)
        || s.Contains('\\') || Path.HasExtension(s);
}
