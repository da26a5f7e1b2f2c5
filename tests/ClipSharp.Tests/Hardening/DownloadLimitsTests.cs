using System.Diagnostics;
using System.Security.Cryptography;
using ClipSharp.Checkpoints;
using ClipSharp.Downloads;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Hardening;

/// <summary>Hostile servers on 127.0.0.1: a download never hangs past the idle timeout, never writes past its cap,
/// never accepts a wrong hash, and leaves no file behind when it fails.</summary>
public sealed class DownloadLimitsTests : DownloadServerTest
{
    readonly ModelDownloader downloader = new(new HttpClient()) { ReadTimeout = TimeSpan.FromSeconds(1) };

    string Target => Path.Combine(Dir, "model.pt");
    Uri Url(string path) => new(Server.BaseUrl + path);

    async Task<DownloadException> FailsAsync(string path, string? sha = null, long maxBytes = 1 << 20)
    {
        var e = await Assert.ThrowsAsync<DownloadException>(() =>
            downloader.DownloadAsync(Url(path), sha, maxBytes, Target));
        Assert.Contains($"Download of model.pt from {Server.BaseUrl}{path}", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(Dir)); // no partial file, no final file
        return e;
    }

    [Fact]
    public async Task A_server_that_stalls_after_the_headers_fails_within_the_read_timeout()
    {
        Server["/stall"] = DownloadTestServer.StallAfterHeaders(seconds: 30);
        var clock = Stopwatch.StartNew();
        var e = await FailsAsync("/stall");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}"); // 1 s limit; 30 s stall
        Assert.Contains("stalled: the server sent nothing for 1 s (CLIP_DOWNLOAD_TIMEOUT", e.Message);
    }

    [Fact]
    public async Task A_server_that_never_answers_fails_within_the_read_timeout()
    {
        Server["/silent"] = DownloadTestServer.Silent(seconds: 30);
        var clock = Stopwatch.StartNew();
        var e = await FailsAsync("/silent");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Contains("stalled", e.Message);
    }

    [Fact]
    public async Task An_endless_body_is_cut_off_at_the_cap_and_leaves_no_file()
    {
        Server["/endless"] = DownloadTestServer.Endless(maxBytes: 64 << 20);
        var e = await FailsAsync("/endless", maxBytes: 1 << 20);
        Assert.Contains($"refused: the body passed the {1 << 20} bytes expected at most", e.Message);
    }

    [Fact]
    public async Task A_content_length_over_the_cap_is_refused_before_the_body()
    {
        // The server holds the connection open after the headers: a server that hangs up at once can reset the
        // connection before the client has read them, which made this test flaky.
        Server["/big"] = DownloadTestServer.StallAfterHeaders(seconds: 10, contentLength: 10L << 30);
        var e = await FailsAsync("/big", maxBytes: 1 << 20);
        Assert.Contains($"the server announces {10L << 30} bytes, more than the {1 << 20} expected at most", e.Message);
    }

    [Fact]
    public async Task A_content_length_longer_than_the_body_is_a_truncation()
    {
        Server["/short"] = DownloadTestServer.Body(new byte[1000], contentLength: 5000);
        var e = await FailsAsync("/short");
        Assert.Contains("ended after", e.Message);
        Assert.Contains("of 5000 bytes; the file was discarded", e.Message);
    }

    [Fact]
    public async Task A_body_with_a_wrong_hash_is_discarded()
    {
        var body = RandomNumberGenerator.GetBytes(5000);
        Server["/forged"] = DownloadTestServer.Body(body);
        string expected = new('a', 64);
        var e = await FailsAsync("/forged", sha: expected);
        string actual = Convert.ToHexStringLower(SHA256.HashData(body));
        Assert.Contains($"has SHA-256 {actual}, expected {expected}", e.Message);
    }

    [Fact]
    public async Task An_http_error_is_a_download_exception_with_its_status()
    {
        Server["/gone"] = DownloadTestServer.Status(410);
        var e = await FailsAsync("/gone");
        Assert.Equal(System.Net.HttpStatusCode.Gone, e.StatusCode);
        Assert.Contains("HTTP 410", e.Message);
    }

    [Fact]
    public async Task A_body_within_the_cap_without_a_hash_lands_and_its_hash_is_returned()
    {
        var body = RandomNumberGenerator.GetBytes(70_000);
        Server["/ok"] = DownloadTestServer.Body(body, contentLength: -1); // length known only at the end
        string sha = await downloader.DownloadAsync(Url("/ok"), null, body.Length, Target);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), sha);
        Assert.Equal(body, File.ReadAllBytes(Target));
        Assert.Single(Directory.GetFileSystemEntries(Dir));
    }

    [Fact]
    public void The_registry_caps_each_file_near_its_published_size()
    {
        Assert.InRange(ModelRegistry.Find("RN50")!.MaxBytes, 244L << 20, 245L << 20); // RN50.pt is 244 MiB
        Assert.Equal(new FileInfo(Reference.Vocab).Length, ModelRegistry.Vocabulary.MaxBytes);
        foreach (var m in ModelRegistry.Models)
        {
            Assert.InRange(m.MaxBytes, 200L << 20, 3L << 30);
            Assert.Equal(m.MaxBytes, ModelRegistry.MaxBytesOf(m.Sha256.ToUpperInvariant()));
        }
    }
}
