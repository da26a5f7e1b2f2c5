using System.Diagnostics;
using ClipSharp.Checkpoints;
using ClipSharp.Tests.Cli;
using ClipSharp.Downloads;
using ClipSharp.Settings;

namespace ClipSharp.Tests.Hardening;

/// <summary>A server that trickles (1 byte at a time, no Content-Length) never trips the idle timeout; the minimum
/// average rate ends it, naming the URL and the setting, and leaves no file.</summary>
[Collection(DownloadEnvironmentCollection.Name)]
public sealed class DownloadRateTests : DownloadServerTest
{
    [Fact]
    public async Task A_trickling_body_fails_once_its_average_falls_below_the_minimum()
    {
        Server["/drip"] = DownloadDripRoute.Drip(TimeSpan.FromMilliseconds(20), 3000); // 50 B/s for at most 60 s
        var downloader = new ModelDownloader(new HttpClient())
            { ReadTimeout = TimeSpan.FromSeconds(1), MinAverageRate = 1024 };
        string target = Path.Combine(Dir, "model.pt");
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<DownloadException>(() =>
            downloader.DownloadAsync(new Uri(Server.BaseUrl + "/drip"), null, 1 << 20, target));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.StartsWith($"Download of model.pt from {Server.BaseUrl}/drip too slow: ", e.Message);
        Assert.Contains("less than the 1 KiB/s required on average (CLIP_DOWNLOAD_MIN_RATE", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(Dir));
    }

    [Fact]
    public async Task A_minimum_of_zero_lets_a_slow_but_steady_body_finish()
    {
        Server["/drip"] = DownloadDripRoute.Drip(TimeSpan.FromMilliseconds(20), 100); // about 2 s
        var downloader = new ModelDownloader(new HttpClient())
            { ReadTimeout = TimeSpan.FromSeconds(1), MinAverageRate = 0 };
        string target = Path.Combine(Dir, "model.pt");
        await downloader.DownloadAsync(new Uri(Server.BaseUrl + "/drip"), null, 1 << 20, target);
        Assert.Equal(new string('x', 100), File.ReadAllText(target));
    }

    [Fact]
    public void Clip_download_from_a_trickling_mirror_fails_with_one_line_naming_the_url()
    {
        string weights = Path.Combine(Dir, "weights");
        Server["/bpe_simple_vocab_16e6.txt.gz"] = DownloadDripRoute.Drip(TimeSpan.FromMilliseconds(20), 3000);
        SetEnvironment("CLIP_WEIGHTS", weights);
        SetEnvironment(ClipSettings.TimeoutVariable, "1");
        SetEnvironment(ClipSettings.MinRateVariable, "2");
        var result = CliRunner.Run("download", "RN50", "--mirror", Server.BaseUrl);
        Assert.Equal(1, result.ExitCode);
        string line = Assert.Single(result.Error.Split('\n'), l => l.StartsWith("error:")); // the rest is progress
        Assert.StartsWith($"error: Download of bpe_simple_vocab_16e6.txt.gz from {Server.BaseUrl}/" +
            "bpe_simple_vocab_16e6.txt.gz too slow", line);
        Assert.Contains("2 KiB/s", line);
        Assert.False(Directory.Exists(weights)); // nothing left, not even the folder the download made
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("-1")]
    [InlineData("NaN")]
    public void A_bad_minimum_rate_setting_is_one_error_naming_the_variable(string value)
    {
        SetEnvironment("CLIP_WEIGHTS", Path.Combine(Dir, "weights"));
        SetEnvironment(ClipSettings.MinRateVariable, value);
        var result = CliRunner.Run("download", "RN50", "--mirror", Server.BaseUrl);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: CLIP_DOWNLOAD_MIN_RATE='{value}' is not a rate in KiB/s between 0 and 1048576 " +
            "(0 turns the minimum off)", result.Error.Trim());
        Assert.Empty(Server.Requests);
    }
}
