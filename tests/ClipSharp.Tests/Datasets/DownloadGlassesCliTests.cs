using ClipSharp.Datasets;
using ClipSharp.Tests.Cli;
using ClipSharp.Tests.Hardening;

namespace ClipSharp.Tests.Datasets;

/// <summary><c>clip download glasses --mirror URL</c> against a local server.</summary>
public sealed class DownloadGlassesCliTests : DownloadServerTest
{
    string Target => Path.Combine(Dir, "glasses");

    [Fact]
    public void Clip_download_glasses_from_a_mirror_installs_the_set()
    {
        Server["/" + GlassesDataset.ArchiveName] = DownloadTestServer.Body(FakeGlassesArchive.Build(rows: 4, images: 4,
            zip => FakeGlassesArchive.Add(zip, "../evil.png", FakeGlassesArchive.Png)));
        var result = CliRunner.Run("download", "glasses", "--mirror", Server.BaseUrl, "--data", Target);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal($"{Target}: train.csv with 4 rows, every image present (downloaded)", result.Output.Trim());
        Assert.Contains($"Downloading {GlassesDataset.ArchiveName}", result.Error);
        Assert.Contains("Unpacking: 6/6", result.Error);
        Assert.Contains("../evil.png: a '..' in its path", result.Error);
        Assert.Equal(5, Directory.GetFiles(Target).Length);

        var again = CliRunner.Run("download", "glasses", "--mirror", Server.BaseUrl, "--data", Target);
        Assert.Equal(0, again.ExitCode);
        Assert.EndsWith("(already present; --force downloads it again)", again.Output.Trim());
        Assert.Single(Server.Requests);
    }

    [Fact]
    public void A_mirror_answering_401_is_one_error_line_naming_the_credentials()
    {
        Server["/" + GlassesDataset.ArchiveName] = DownloadTestServer.Status(401);
        var result = CliRunner.Run("download", "glasses", "--mirror", Server.BaseUrl, "--data", Target);
        Assert.Equal(1, result.ExitCode);
        string error = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: Download of {GlassesDataset.ArchiveName} from {Server.BaseUrl}/", error);
        Assert.Contains("HTTP 401", error);
        Assert.Contains("KAGGLE_USERNAME and KAGGLE_KEY", error);
        Assert.False(Directory.Exists(Target));
        Assert.Empty(Directory.GetFileSystemEntries(Dir));
    }
}
