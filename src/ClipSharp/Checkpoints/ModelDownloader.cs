using System.Security.Cryptography;

namespace ClipSharp.Checkpoints;

/// <summary>HTTPS download into a temporary file beside the destination, SHA-256 checked while streaming; the file
/// takes its final name only when complete and verified.</summary>
public sealed class ModelDownloader(HttpClient http)
{
    public static ModelDownloader Default { get; } = new(new HttpClient { Timeout = TimeSpan.FromMinutes(30) });

    public async Task DownloadAsync(Uri url, string expectedSha256, string destination, IProgress<DownloadProgress>? progress = null, CancellationToken cancel = default)
    {
        string name = Path.GetFileName(destination);
        string full = Path.GetFullPath(destination);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = $"{full}.{Environment.ProcessId}.partial";
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancel);
            if (!response.IsSuccessStatusCode)
                throw new IOException($"Download of {name} from {url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            long? total = response.Content.Headers.ContentLength;
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long received = 0;
            await using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            await using (var input = await response.Content.ReadAsStreamAsync(cancel))
            {
                var buffer = new byte[1 << 20];
                int n;
                try
                {
                    while ((n = await input.ReadAsync(buffer, cancel)) > 0)
                    {
                        sha.AppendData(buffer, 0, n);
                        await output.WriteAsync(buffer.AsMemory(0, n), cancel);
                        received += n;
                        progress?.Report(new DownloadProgress(name, received, total));
                    }
                }
                catch (HttpRequestException e) { throw Truncated(name, url, received, total, e); }
                catch (IOException e) { throw Truncated(name, url, received, total, e); }
            }
            if (total is long expectedLength && received != expectedLength) throw Truncated(name, url, received, total, null);
            string actual = Convert.ToHexStringLower(sha.GetHashAndReset());
            if (!actual.Equals(expectedSha256, StringComparison.OrdinalIgnoreCase))
                throw new IOException($"Download of {name} from {url} has SHA-256 {actual}, expected {expectedSha256.ToLowerInvariant()}; the file was discarded");
            File.Move(temp, full, overwrite: true);
        }
        catch (HttpRequestException e)
        {
            throw new IOException($"Download of {name} from {url} failed: {e.Message}", e);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    static IOException Truncated(string name, Uri url, long received, long? total, Exception? inner) =>
        new($"Download of {name} from {url} ended after {received} of {total?.ToString() ?? "?"} bytes; the file was discarded", inner);

    public static string Sha256Of(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }
}
