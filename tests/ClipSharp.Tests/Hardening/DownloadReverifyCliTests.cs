using ClipSharp.Checkpoints;
using ClipSharp.Tests.Cli;
using ClipSharp.Downloads;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Hardening;

/// <summary>The CLI on a weights folder holding garbage under a registry name: <c>download</c> re-verifies instead of
/// printing "verified", and a command using <c>--model RN50</c> stops before any inference.</summary>
[Collection(DownloadEnvironmentCollection.Name)]
public sealed class DownloadReverifyCliTests : DownloadServerTest
{
    readonly string weights;

    public DownloadReverifyCliTests()
    {
        weights = Path.Combine(Dir, "weights");
        Directory.CreateDirectory(weights);
        File.Copy(Reference.Vocab, Path.Combine(weights, ModelRegistry.Vocabulary.File));
        File.WriteAllText(Path.Combine(weights, "RN50.pt"), "garbage");
        SetEnvironment("CLIP_WEIGHTS", weights);
    }

    string Rn50 => Path.Combine(weights, "RN50.pt");

    [Fact]
    public void Clip_download_rehashes_a_present_file_and_refuses_garbage()
    {
        var result = CliRunner.Run("download", "RN50", "--mirror", Server.BaseUrl);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: '{Rn50}' has SHA-256 {VerifiedFile.Sha256Of(Rn50)}, expected " +
            $"{ModelRegistry.Find("RN50")!.Sha256} (the released RN50.pt): it is damaged or another file. " +
            "Run `clip download RN50 --force` to download it again, or delete it.", result.Error.Trim());
        Assert.DoesNotContain("RN50.pt: SHA-256", result.Output);
        Assert.Empty(Server.Requests); // nothing was downloaded
        Assert.Equal("garbage", File.ReadAllText(Rn50));
    }

    [Fact]
    public void Clip_embed_with_garbage_as_RN50_stops_before_inference()
    {
        string output = Path.Combine(Dir, "out.safetensors");
        var result = CliRunner.Run("embed", "--model", "RN50", "--text", "a cat", "--output", output);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: '{Rn50}' has SHA-256", result.Error);
        Assert.Contains("clip download RN50 --force", result.Error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Clip_download_force_fetches_again_and_still_verifies()
    {
        Server[$"/{ModelRegistry.Vocabulary.File}"] = DownloadTestServer.Body(File.ReadAllBytes(Reference.Vocab));
        Server[$"/{ModelRegistry.Find("RN50")!.Sha256}/RN50.pt"] = DownloadTestServer.Body("forged"u8.ToArray());
        var result = CliRunner.Run("download", "RN50", "--force", "--mirror", Server.BaseUrl);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: Download of RN50.pt from {Server.BaseUrl}/", result.Error);
        Assert.Contains("the file was discarded", result.Error);
        Assert.Equal(2, Server.Requests.Count); // the vocab was fetched again too
        Assert.Equal("garbage", File.ReadAllText(Rn50)); // replaced only by a verified download
        Assert.True(File.Exists(VerifiedFile.StampPath(Path.Combine(weights, ModelRegistry.Vocabulary.File))));
    }
}
