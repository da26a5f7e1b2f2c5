using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using ClipSharp.Settings;

namespace ClipSharp.Downloads;

/// <summary>HTTP(S) download into a temporary file beside the destination, SHA-256 computed while streaming; the file
/// takes its final name only when complete, within its size cap and (when a hash is expected) verified. A connection
/// idle for longer than <see cref="ReadTimeout"/> fails, so a stalled server never hangs the caller; one that keeps
/// trickling fails once its average rate falls below <see cref="MinAverageRate"/>. SIGINT/SIGTERM/SIGHUP during a
/// download cancel it (<see cref="DownloadInterruption"/>) so the temporary file is deleted; temporary files that a
/// killed process left beside the destination are deleted by the next download there.</summary>
public sealed class ModelDownloader(HttpClient http)
{
    /// <summary>Downloads without a fixed whole-transfer limit (a slow link may take long for a large file); the idle
    /// timeout ends a dead connection and the minimum average rate a trickling one.</summary>
    public static ModelDownloader Default { get; } = new(new HttpClient(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(30),
        AutomaticDecompression = DecompressionMethods.None, // the hash and the cap are of the bytes as served
    }) { Timeout = Timeout.InfiniteTimeSpan });

    /// <summary>How long the server may send nothing (before the headers or between reads); null:
    /// <see cref="ClipSettings.DownloadTimeout"/>.</summary>
    public TimeSpan? ReadTimeout { get; init; }

    /// <summary>Bytes per second the body must average, checked once the read timeout has passed since the request
    /// (so a slow start is forgiven); 0 turns the check off. null: <see cref="ClipSettings.DownloadMinRate"/>.
    /// </summary>
    public double? MinAverageRate { get; init; }

    /// <summary>Downloads <paramref name="url"/> to <paramref name="destination"/> and returns its SHA-256 (lower-case
    /// hex). A null <paramref name="expectedSha256"/> accepts any content within <paramref name="maxBytes"/>.</summary>
    public async Task<string> DownloadAsync(Uri url, string? expectedSha256, long maxBytes, string destination,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancel = default,
        AuthenticationHeaderValue? authorization = null)
    {
        string name = Path.GetFileName(destination);
        if (!IsWebUrl(url))
            throw new DownloadException($"Download of {name} from {url} refused: only http and https URLs are " +
                "supported");
        string full = OutputPath.CheckKind(destination), directory = Path.GetDirectoryName(full)!;
        // A folder made for this download goes again if it fails: an empty weights/ left behind would make its
        // parent the workspace root (see ClipSettings) wherever the failed command happened to run.
        bool madeFolder = !Directory.Exists(directory);
        try { Directory.CreateDirectory(directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DownloadException($"Cannot create the folder '{directory}' for {name}: {e.Message}", e);
        }
        AtomicFile.DeleteStalePartials(directory, name);
        string temp = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial";
        var settings = ClipSettings.Current;
        var limits = new Limits(name, url, ReadTimeout ?? settings.DownloadTimeout,
            MinAverageRate ?? settings.DownloadMinRate, maxBytes);
        using var interruption = DownloadInterruption.Watch();
        using var outer = CancellationTokenSource.CreateLinkedTokenSource(cancel, interruption.Token);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(outer.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = authorization;
            stall.CancelAfter(limits.Idle);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token);
            if (!response.IsSuccessStatusCode)
                throw new DownloadException($"Download of {name} from {url} failed: HTTP {(int)response.StatusCode} " +
                    $"{response.ReasonPhrase}", status: response.StatusCode);
            long? total = response.Content.Headers.ContentLength;
            if (total > maxBytes)
                throw new DownloadException($"Download of {name} from {url} refused: the server announces {total} " +
                    $"bytes, more than the {maxBytes} expected at most; nothing was written");
            string actual = await CopyAsync(response, temp, limits, total, progress, stall, outer.Token);
            if (expectedSha256 is not null && !actual.Equals(expectedSha256, StringComparison.OrdinalIgnoreCase))
                throw new DownloadException($"Download of {name} from {url} has SHA-256 {actual}, expected " +
                    $"{expectedSha256.ToLowerInvariant()}; the file was discarded");
            File.Move(temp, full, overwrite: true);
            return actual;
        }
        catch (Exception) when (interruption.Signal is { } signal)
        {
            throw DownloadInterruptedException.Of(name, url, signal);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException
            && stall.IsCancellationRequested && !outer.IsCancellationRequested)
        {
            throw Stalled(name, url, limits.Idle, e);
        }
        catch (OperationCanceledException e) when (!outer.IsCancellationRequested) // the HttpClient's own Timeout
        {
            throw new DownloadException($"Download of {name} from {url} timed out: {e.Message}", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException)
        {
            throw new DownloadException($"Download of {name} from {url} failed: {e.Message}", e);
        }
        finally
        {
            try
            {
                if (File.Exists(temp)) File.Delete(temp);
                if (madeFolder && !File.Exists(full) && !Directory.EnumerateFileSystemEntries(directory).Any())
                    Directory.Delete(directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // keep the first error
        }
    }

    /// <summary>An absolute http or https URL (HttpClient supports nothing else).</summary>
    public static bool IsWebUrl(Uri url) =>
        url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);

    /// <summary>What one download may take: <paramref name="Idle"/> without a byte, an average under
    /// <paramref name="MinRate"/> bytes/s once <paramref name="Idle"/> has passed, more than
    /// <paramref name="MaxBytes"/>.</summary>
    sealed record Limits(string Name, Uri Url, TimeSpan Idle, double MinRate, long MaxBytes);

    static async Task<string> CopyAsync(HttpResponseMessage response, string temp, Limits limits, long? total,
        IProgress<DownloadProgress>? progress, CancellationTokenSource stall, CancellationToken cancel)
    {
        var (name, url) = (limits.Name, limits.Url);
        var clock = Stopwatch.StartNew();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long received = 0;
        await using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        await using var input = await response.Content.ReadAsStreamAsync(stall.Token);
        var buffer = new byte[1 << 20];
        while (true)
        {
            int n;
            stall.CancelAfter(limits.Idle); // restarts the idle clock for this read
            try { n = await input.ReadAsync(buffer, stall.Token); }
            catch (Exception e) when (e is HttpRequestException or IOException && !stall.IsCancellationRequested)
            {
                throw Truncated(name, url, received, total, e);
            }
            if (n == 0) break;
            received += n;
            if (received > limits.MaxBytes)
                throw new DownloadException($"Download of {name} from {url} refused: the body passed the " +
                    $"{limits.MaxBytes} bytes expected at most; the partial file was discarded");
            TimeSpan elapsed = clock.Elapsed;
            if (elapsed >= limits.Idle && received < limits.MinRate * elapsed.TotalSeconds)
                throw TooSlow(limits, received, elapsed);
            sha.AppendData(buffer, 0, n);
            await output.WriteAsync(buffer.AsMemory(0, n), cancel);
            progress?.Report(new DownloadProgress(name, received, total));
        }
        if (total is long expectedLength && received != expectedLength)
            throw Truncated(name, url, received, total, null);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    static DownloadException Truncated(string name, Uri url, long received, long? total, Exception? inner) =>
        new($"Download of {name} from {url} ended after {received} of {total?.ToString() ?? "?"} bytes; " +
            "the file was discarded", inner);

    static DownloadException Stalled(string name, Uri url, TimeSpan idle, Exception inner) =>
        new($"Download of {name} from {url} stalled: the server sent nothing for {idle.TotalSeconds:0.###} s " +
            $"({ClipSettings.TimeoutVariable} sets this limit in seconds); the partial file was discarded", inner);

    static DownloadException TooSlow(Limits limits, long received, TimeSpan elapsed)
    {
        var invariant = CultureInfo.InvariantCulture;
        string seconds = elapsed.TotalSeconds.ToString("0.#", invariant);
        string rate = (limits.MinRate / 1024).ToString("0.###", invariant);
        return new($"Download of {limits.Name} from {limits.Url} too slow: {received} bytes in {seconds} s, less " +
            $"than the {rate} KiB/s required on average ({ClipSettings.MinRateVariable} sets this limit in KiB/s, " +
            "0 turns it off); the partial file was discarded");
    }
}
