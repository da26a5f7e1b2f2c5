using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace ClipSharp.Checkpoints;

/// <summary>HTTP(S) download into a temporary file beside the destination, SHA-256 computed while streaming; the file
/// takes its final name only when complete, within its size cap and (when a hash is expected) verified. A connection
/// idle for longer than <see cref="ReadTimeout"/> fails, so a stalled server never hangs the caller.</summary>
public sealed class ModelDownloader(HttpClient http)
{
    public const string TimeoutVariable = "CLIP_DOWNLOAD_TIMEOUT";
    public static readonly TimeSpan DefaultReadTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Downloads without a whole-transfer limit (a slow link may take long for a large file); the idle
    /// timeout is what ends a dead connection.</summary>
    public static ModelDownloader Default { get; } = new(new HttpClient(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(30),
        AutomaticDecompression = DecompressionMethods.None, // the hash and the cap are of the bytes as served
    }) { Timeout = Timeout.InfiniteTimeSpan });

    /// <summary>How long the server may send nothing (before the headers or between reads); null: the
    /// <c>CLIP_DOWNLOAD_TIMEOUT</c> environment variable in seconds, else 60 s.</summary>
    public TimeSpan? ReadTimeout { get; init; }

    /// <summary>Used when no cap is given and the hash is not a registered file's.</summary>
    public const long DefaultMaxBytes = 4L << 30;

    /// <summary>Downloads a file whose SHA-256 is known, capped at the registered size of that hash (or
    /// <see cref="DefaultMaxBytes"/>).</summary>
    public Task<string> DownloadAsync(Uri url, string expectedSha256, string destination,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancel = default) =>
        DownloadAsync(url, expectedSha256, ModelRegistry.MaxBytesOf(expectedSha256) ?? DefaultMaxBytes, destination,
            progress, cancel);

    /// <summary>Downloads <paramref name="url"/> to <paramref name="destination"/> and returns its SHA-256 (lower-case
    /// hex). A null <paramref name="expectedSha256"/> accepts any content within <paramref name="maxBytes"/>.</summary>
    public async Task<string> DownloadAsync(Uri url, string? expectedSha256, long maxBytes, string destination,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancel = default,
        AuthenticationHeaderValue? authorization = null)
    {
        string name = Path.GetFileName(destination);
        string full = Path.GetFullPath(destination);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial";
        TimeSpan idle = ReadTimeout ?? TimeoutFromEnvironment();
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = authorization;
            stall.CancelAfter(idle);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token);
            if (!response.IsSuccessStatusCode)
                throw new DownloadException($"Download of {name} from {url} failed: HTTP {(int)response.StatusCode} " +
                    $"{response.ReasonPhrase}", status: response.StatusCode);
            long? total = response.Content.Headers.ContentLength;
            if (total > maxBytes)
                throw new DownloadException($"Download of {name} from {url} refused: the server announces {total} " +
                    $"bytes, more than the {maxBytes} expected at most; nothing was written");
            string actual = await CopyAsync(response, temp, name, url, total, maxBytes, idle, progress, stall, cancel);
            if (expectedSha256 is not null && !actual.Equals(expectedSha256, StringComparison.OrdinalIgnoreCase))
                throw new DownloadException($"Download of {name} from {url} has SHA-256 {actual}, expected " +
                    $"{expectedSha256.ToLowerInvariant()}; the file was discarded");
            File.Move(temp, full, overwrite: true);
            return actual;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException
            && stall.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
            throw Stalled(name, url, idle, e);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested) // the HttpClient's own Timeout
        {
            throw new DownloadException($"Download of {name} from {url} timed out: {e.Message}", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new DownloadException($"Download of {name} from {url} failed: {e.Message}", e);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    static async Task<string> CopyAsync(HttpResponseMessage response, string temp, string name, Uri url, long? total,
        long maxBytes, TimeSpan idle, IProgress<DownloadProgress>? progress, CancellationTokenSource stall,
        CancellationToken cancel)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long received = 0;
        await using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        await using var input = await response.Content.ReadAsStreamAsync(stall.Token);
        var buffer = new byte[1 << 20];
        while (true)
        {
            int n;
            stall.CancelAfter(idle); // restarts the idle clock for this read
            try { n = await input.ReadAsync(buffer, stall.Token); }
            catch (Exception e) when (e is HttpRequestException or IOException && !stall.IsCancellationRequested)
            {
                throw Truncated(name, url, received, total, e);
            }
            if (n == 0) break;
            received += n;
            if (received > maxBytes)
                throw new DownloadException($"Download of {name} from {url} refused: the body passed the {maxBytes} " +
                    "bytes expected at most; the partial file was discarded");
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
            $"({TimeoutVariable} sets this limit in seconds); the partial file was discarded", inner);

    /// <summary><c>CLIP_DOWNLOAD_TIMEOUT</c> (seconds, positive) or 60 s.</summary>
    public static TimeSpan TimeoutFromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable(TimeoutVariable);
        if (string.IsNullOrWhiteSpace(value)) return DefaultReadTimeout;
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            || !(seconds > 0 && seconds <= 86400))
            throw new ClipSharpException($"{TimeoutVariable}='{value}' is not a number of seconds between 0 and 86400");
        return TimeSpan.FromSeconds(seconds);
    }

    public static string Sha256Of(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }
}
