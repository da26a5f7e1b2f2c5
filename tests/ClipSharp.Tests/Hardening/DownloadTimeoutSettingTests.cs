using System.Diagnostics;
using ClipSharp.Checkpoints;
using ClipSharp.Tests.Cli;
using ClipSharp.Downloads;
using ClipSharp.Loading;
using ClipSharp.Settings;

namespace ClipSharp.Tests.Hardening;

/// <summary>CLIP_DOWNLOAD_TIMEOUT sets the idle limit of the CLI's downloads; a bad value is one clear error.</summary>
[Collection(DownloadEnvironmentCollection.Name)]
public sealed class DownloadTimeoutSettingTests : DownloadServerTest
{
    [Fact]
    public void Clip_download_from_a_stalled_mirror_fails_after_CLIP_DOWNLOAD_TIMEOUT_seconds()
    {
        Server[$"/{ModelRegistry.Vocabulary.File}"] = DownloadTestServer.StallAfterHeaders(seconds: 30);
        string weights = Path.Combine(Dir, "weights");
        SetEnvironment("CLIP_WEIGHTS", weights);
        SetEnvironment(ClipSettings.TimeoutVariable, "1.5");
        var clock = Stopwatch.StartNew();
        var result = CliRunner.Run("download", "RN50", "--mirror", Server.BaseUrl);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: Download of {ModelRegistry.Vocabulary.File} from {Server.BaseUrl}/", result.Error);
        Assert.Contains("stalled: the server sent nothing for 1.5 s", result.Error);
        Assert.False(Directory.Exists(weights)); // nothing left, not even the folder the download made
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-3")]
    [InlineData("0")]
    public void A_timeout_that_is_not_a_positive_number_of_seconds_is_refused(string value)
    {
        SetEnvironment(ClipSettings.TimeoutVariable, value);
        var e = Assert.Throws<ClipSharpException>(() => ClipSettings.Current.DownloadTimeout);
        Assert.Equal($"CLIP_DOWNLOAD_TIMEOUT='{value}' is not a number of seconds between 0 and 86400", e.Message);
    }

    [Fact]
    public void Without_the_variable_the_timeout_is_a_minute()
    {
        SetEnvironment(ClipSettings.TimeoutVariable, null);
        Assert.Equal(TimeSpan.FromSeconds(60), ClipSettings.Current.DownloadTimeout);
    }
}
