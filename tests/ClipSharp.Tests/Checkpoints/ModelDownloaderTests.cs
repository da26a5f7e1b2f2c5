using ClipSharp.Checkpoints;
using ClipSharp.Tests.Cli;
using ClipSharp.Tests.Hardening;
using ClipSharp.Downloads;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Checkpoints;

/// <summary>Downloads against a local HTTP server on 127.0.0.1: good hash, bad hash, truncated transfer.</summary>
[Collection(ClipSharp.Tests.Hardening.DownloadEnvironmentCollection.Name)] // sets CLIP_WEIGHTS
public sealed class ModelDownloaderTests : DownloadServerTest
{
    string BaseUrl => Server.BaseUrl;

    /// <summary>Serves <paramref name="body"/> at <paramref name="path"/>; truncated: the full length is announced,
    /// half the body sent, and the connection closed.</summary>
    void Serve(string path, byte[] body, bool truncate = false) => Server[path] = truncate
        ? DownloadTestServer.Body(body[..(body.Length / 2)], contentLength: body.Length)
        : DownloadTestServer.Body(body);

    static readonly byte[] Payload = File.ReadAllBytes(Reference.Model("tiny-rn.pt"));
    static readonly string PayloadSha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Payload));
    readonly ModelDownloader downloader = new(new HttpClient());

    [Fact]
    public async Task A_verified_download_lands_under_its_final_name()
    {
        Serve("/model.pt", Payload);
        string target = Path.Combine(Dir, "model.pt");
        var reports = new List<DownloadProgress>();
        await downloader.DownloadAsync(
            new Uri(BaseUrl + "/model.pt"), PayloadSha, 1L << 30, target, new Cli.SynchronousProgressFor(reports));
        Assert.Equal(Payload, File.ReadAllBytes(target));
        Assert.Equal(Payload.Length, reports[^1].Received);
        Assert.Equal(Payload.Length, reports[^1].Total);
        Assert.Single(Directory.GetFiles(Dir));
    }

    [Fact]
    public async Task A_wrong_hash_is_an_error_and_leaves_no_file()
    {
        Serve("/model.pt", Payload);
        string target = Path.Combine(Dir, "model.pt");
        string wrong = new('0', 64);
        var e = await Assert.ThrowsAsync<DownloadException>(
            () => downloader.DownloadAsync(new Uri(BaseUrl + "/model.pt"), wrong, 1L << 30, target));
        Assert.Equal($"Download of model.pt from {BaseUrl}/model.pt has SHA-256 {PayloadSha}, expected {wrong}; " +
            "the file was discarded", e.Message);
        Assert.Empty(Directory.GetFiles(Dir));
    }

    [Fact]
    public async Task A_truncated_transfer_is_an_error_and_leaves_no_file()
    {
        Serve("/model.pt", Payload, truncate: true);
        string target = Path.Combine(Dir, "model.pt");
        var e = await Assert.ThrowsAsync<DownloadException>(
            () => downloader.DownloadAsync(new Uri(BaseUrl + "/model.pt"), PayloadSha, 1L << 30, target));
        Assert.Contains($"Download of model.pt from {BaseUrl}/model.pt ended after", e.Message);
        Assert.Contains($"of {Payload.Length} bytes; the file was discarded", e.Message);
        Assert.Empty(Directory.GetFiles(Dir));
    }

    [Fact]
    public void Clip_download_from_a_mirror_fetches_the_vocab_and_refuses_a_forged_checkpoint()
    {
        var rn50 = ModelRegistry.Find("RN50")!;
        Serve($"/{rn50.Sha256}/RN50.pt", Payload);   // not the released bytes
        Serve($"/{ModelRegistry.Vocabulary.File}", File.ReadAllBytes(Reference.Vocab));
        string weights = Path.Combine(Dir, "weights");
        Environment.SetEnvironmentVariable("CLIP_WEIGHTS", weights);
        try
        {
            var result = CliRunner.Run("download", "RN50", "--mirror", BaseUrl);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"error: Download of RN50.pt from {BaseUrl}/{rn50.Sha256}/RN50.pt " +
                $"has SHA-256 {PayloadSha}, expected {rn50.Sha256}", result.Error);
            Assert.Contains("Downloading RN50.pt", result.Error);
            string vocab = Path.Combine(weights, ModelRegistry.Vocabulary.File);
            Assert.Equal([vocab, vocab + VerifiedFile.StampSuffix], Directory.GetFiles(weights).Order());
        }
        finally { Environment.SetEnvironmentVariable("CLIP_WEIGHTS", null); }
    }
}
