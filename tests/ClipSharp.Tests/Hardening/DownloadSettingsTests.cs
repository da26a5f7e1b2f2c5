using ClipSharp.Checkpoints;
using ClipSharp.Tests.Cli;
using ClipSharp.Downloads;

namespace ClipSharp.Tests.Hardening;

/// <summary>A mirror that is not a well-formed http(s) URL and a CLIP_WEIGHTS that is not a folder are one
/// <c>error:</c> line naming the option or variable, before anything is downloaded or written.</summary>
[Collection(DownloadEnvironmentCollection.Name)]
public sealed class DownloadSettingsTests : DownloadServerTest
{
    public DownloadSettingsTests() =>
        SetEnvironment("CLIP_WEIGHTS", Path.Combine(Dir, "weights"));

    [Theory]
    [InlineData("RN50", "file:///etc")]
    [InlineData("RN50", "http://[::1")]
    [InlineData("RN50", "ftp://127.0.0.1/clip")]
    [InlineData("RN50", "not a url")]
    [InlineData("glasses", "file:///etc/passwd.zip")]
    [InlineData("glasses", "http://[::1")]
    public void A_bad_mirror_option_is_one_error_naming_it(string what, string mirror)
    {
        string data = Path.Combine(Dir, "glasses");
        var result = CliRunner.Run("download", what, "--mirror", mirror, "-d", data);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: --mirror '{mirror}' is not a well-formed http or https URL (e.g. http://host:8000/clip)",
            result.Error.Trim());
        Assert.False(Directory.Exists(data));
        Assert.Empty(Directory.EnumerateFiles(Dir, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_bad_clip_mirror_variable_is_named()
    {
        SetEnvironment("CLIP_MIRROR", "file:///etc");
        var result = CliRunner.Run("download", "RN50");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: CLIP_MIRROR 'file:///etc' is not a well-formed http or https URL (e.g. " +
            "http://host:8000/clip)", result.Error.Trim());
    }

    [Theory]
    [InlineData("")]
    [InlineData("sub")]
    public void A_clip_weights_that_is_a_file_is_one_error_naming_the_variable(string below)
    {
        string file = Path.Combine(Dir, "afile");
        File.WriteAllText(file, "mine");
        string weights = below.Length == 0 ? file : Path.Combine(file, below);
        SetEnvironment("CLIP_WEIGHTS", weights);
        var result = CliRunner.Run("download", "RN50", "--mirror", Server.BaseUrl);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: CLIP_WEIGHTS='{weights}' is not a folder: '{file}' is a file. Point CLIP_WEIGHTS at " +
            "the folder for the weights, or unset it to use weights/ of the workspace.", result.Error.Trim());
        Assert.Equal("mine", File.ReadAllText(file));
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void The_downloader_itself_refuses_a_non_http_url_naming_it()
    {
        var e = Assert.Throws<DownloadException>(() => ModelDownloader.Default
            .DownloadAsync(new Uri("file:///etc/hostname"), null, 100, Path.Combine(Dir, "x")).GetAwaiter()
            .GetResult());
        Assert.Equal("Download of x from file:///etc/hostname refused: only http and https URLs are supported",
            e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(Dir));
    }
}
