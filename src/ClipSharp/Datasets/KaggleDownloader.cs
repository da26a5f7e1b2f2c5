using System.Net;
using ClipSharp.Downloads;
using ClipSharp.Evaluation;

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
    /// unless <paramref name="force"/> replaces it (after the new copy is complete); a folder that holds anything
    /// but the set's files is never replaced. SIGINT/SIGTERM/SIGHUP stop the fetch and delete what it had made;
    /// the work folders of killed fetches are deleted by the next one.</summary>
    public async Task<GlassesFetch> DownloadAsync(string dataDirectory, string? mirror = null, bool force = false,
        IProgress<DownloadProgress>? progress = null, Action<int, int>? unpacked = null,
        CancellationToken cancel = default)
    {
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
        if (File.Exists(target))
            throw new DataSetException($"'{target}' is a file, not a folder for the glasses set: give --data a " +
                "folder");
        if (Directory.Exists(target) && GlassesDataset.WhyNotReplaceable(target) is { } why)
            throw new DataSetException($"'{target}' is not a glasses data set folder ({why}), so it is left as it " +
                "is: give --data a new or empty folder for the set.");
        if (Directory.Exists(target) && !force && Directory.EnumerateFileSystemEntries(target).Any())
        {
            try { return new GlassesFetch(GlassesDataset.Verify(target), null, Downloaded: false); }
            catch (DataSetException e)
            {
                throw new DataSetException($"{e.Message}. Run `clip download glasses --force` to replace '{target}' " +
                    "with a fresh copy, or fix it by hand.", e);
            }
        }
        mirror = DownloadMirror.Resolve(mirror);
        Uri url = mirror is null ? ApiUrl : GlassesDataset.ArchiveUrl(mirror);
        var credentials = mirror is null ? FindCredentials() : null;
        string parent = Path.GetDirectoryName(target)!, workName = "." + Path.GetFileName(target);
        DeleteStaleWork(parent, workName);
        string work = Path.Combine(parent, $"{workName}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial");
        using var interruption = DownloadInterruption.Watch();
        using var outer = CancellationTokenSource.CreateLinkedTokenSource(cancel, interruption.Token);
        try
        {
            Directory.CreateDirectory(work);
            string archive = Path.Combine(work, GlassesDataset.ArchiveName);
            try
            {
                await downloader.DownloadAsync(url, null, GlassesDataset.MaxArchiveBytes, archive, progress,
                    outer.Token, credentials?.Header);
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
                GlassesDataset.MaxEntries, GlassesDataset.MaxUnpackedBytes, unpacked, outer.Token);
            File.Delete(archive); // the images are out; free the space before the rename
            GlassesSummary summary;
            try { summary = GlassesDataset.Verify(unpackedDir); }
            catch (DataSetException e)
            {
                throw new DataSetException($"The archive from {url} is not the expected set: {e.Message}", e);
            }
            outer.Token.ThrowIfCancellationRequested();
            Install(unpackedDir, target, work);
            return new GlassesFetch(summary with { Directory = target }, extraction, Downloaded: true);
        }
        catch (Exception e) when (e is not DownloadInterruptedException && interruption.Signal is { } signal)
        {
            throw new DownloadInterruptedException($"Download of the glasses set from {url} into '{target}' " +
                $"interrupted by {signal}; nothing was kept", signal);
        }
        finally
        {
            try { if (Directory.Exists(work)) Directory.Delete(work, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // keep the first error
        }
    }

    /// <summary>Deletes the <c>.NAME.PID.RANDOM.partial</c> work folders in <paramref name="parent"/> of fetches
    /// whose process is gone (killed before their cleanup ran); a live fetch's folder and anything else stay.
    /// </summary>
    static void DeleteStaleWork(string parent, string workName)
    {
        foreach (string dir in AtomicFile.DeadTemporaries(parent, workName, FileKind.Directory))
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // best effort
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
