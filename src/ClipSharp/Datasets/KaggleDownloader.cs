using System.Net;
using ClipSharp.Checkpoints;

namespace ClipSharp.Datasets;

/// <summary>
/// Fetches the glasses set into a data folder: the archive through Kaggle's public API (or a mirror) with the same
/// downloader as the weights (idle timeout, size cap), unpacked by <see cref="SafeZipExtractor"/> into a temporary
/// folder beside the target, verified (<see cref="GlassesDataset.Verify"/>), and only then renamed into place, so the
/// target is either absent or complete. Kaggle answers the API call with a redirect to its storage; HttpClient drops
/// the Authorization header on redirects, so the credentials go to kaggle.com only, and never to a mirror.
/// </summary>
public sealed class KaggleDownloader(ModelDownloader? downloader = null)
{
    readonly ModelDownloader downloader = downloader ?? ModelDownloader.Default;

    /// <summary>Kaggle's download endpoint for the set (tests point it at a local server).</summary>
    public Uri ApiUrl { get; init; } = GlassesDataset.KaggleUrl;

    /// <summary>Where the credentials come from (tests inject theirs).</summary>
    public Func<KaggleCredentials?> FindCredentials { get; init; } = KaggleCredentials.Find;

    /// <summary>Makes <paramref name="dataDirectory"/> hold the set. A folder already there is verified and kept,
    /// unless <paramref name="force"/> replaces it (after the new copy is complete).</summary>
    public async Task<GlassesFetch> DownloadAsync(string dataDirectory, string? mirror = null, bool force = false,
        IProgress<DownloadProgress>? progress = null, Action<int, int>? unpacked = null,
        CancellationToken cancel = default)
    {
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
        if (Directory.Exists(target) && !force)
        {
            try { return new GlassesFetch(GlassesDataset.Verify(target), null, Downloaded: false); }
            catch (DataSetException e)
            {
                throw new DataSetException($"{e.Message}. Run `clip download glasses --force` to replace '{target}' " +
                    "with a fresh copy, or fix it by hand.", e);
            }
        }
        mirror ??= Environment.GetEnvironmentVariable("CLIP_MIRROR") is { Length: > 0 } m ? m : null;
        Uri url = mirror is null ? ApiUrl : GlassesDataset.ArchiveUrl(mirror);
        var credentials = mirror is null ? FindCredentials() : null;
        string work = Path.Combine(Path.GetDirectoryName(target)!,
            $".{Path.GetFileName(target)}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial");
        try
        {
            Directory.CreateDirectory(work);
            string archive = Path.Combine(work, GlassesDataset.ArchiveName);
            try
            {
                await downloader.DownloadAsync(url, null, GlassesDataset.MaxArchiveBytes, archive, progress, cancel,
                    credentials?.Header);
            }
            catch (DownloadException e) when (e.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                string which = mirror is not null ? "the mirror needs credentials of its own"
                    : credentials is null ? "no Kaggle credentials were found"
                    : $"the credentials from {credentials.Source} were not accepted";
                throw new DataSetException($"{e.Message}: {which}. {KaggleCredentials.HowToSet}.", e);
            }
            string unpackedDir = Path.Combine(work, "glasses");
            var extraction = SafeZipExtractor.Extract(archive, unpackedDir, GlassesDataset.MaxBytesOf,
                GlassesDataset.MaxEntries, GlassesDataset.MaxUnpackedBytes, unpacked);
            File.Delete(archive); // the images are out; free the space before the rename
            GlassesSummary summary;
            try { summary = GlassesDataset.Verify(unpackedDir); }
            catch (DataSetException e)
            {
                throw new DataSetException($"The archive from {url} is not the expected set: {e.Message}", e);
            }
            Install(unpackedDir, target, work);
            return new GlassesFetch(summary with { Directory = target }, extraction, Downloaded: true);
        }
        finally
        {
            try { if (Directory.Exists(work)) Directory.Delete(work, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // keep the first error
        }
    }

    /// <summary>Renames the complete folder into place; an old copy (with --force) moves aside first and is deleted
    /// only after the new one is in.</summary>
    static void Install(string complete, string target, string work)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (!Directory.Exists(target))
        {
            Directory.Move(complete, target);
            return;
        }
        string old = Path.Combine(work, "previous");
        Directory.Move(target, old);
        try { Directory.Move(complete, target); }
        catch
        {
            Directory.Move(old, target);
            throw;
        }
    }
}
