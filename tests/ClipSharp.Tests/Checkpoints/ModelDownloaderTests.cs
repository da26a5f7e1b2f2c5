using System.Net;
using System.Net.Sockets;
using ClipSharp.Checkpoints;
using ClipSharp.Tests.Cli;
using ClipSharp.Downloads;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Checkpoints;

/// <summary>Downloads against a local HTTP server on 127.0.0.1: good hash, bad hash, truncated transfer.</summary>
public sealed class ModelDownloaderTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("clip-dl-").FullName;
    readonly HttpListener listener = new();
    readonly string baseUrl;
    readonly Dictionary<string, (byte[] Body, bool Truncate)> files = new();

    public ModelDownloaderTests()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        baseUrl = $"http://127.0.0.1:{port}";
        listener.Prefixes.Add(baseUrl + "/");
        listener.Start();
        _ = Task.Run(Serve);
    }

    async Task Serve()
    {
        while (listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await listener.GetContextAsync(); } catch { return; }
            if (!files.TryGetValue(ctx.Request.Url!.AbsolutePath, out var file))
            {
                ctx.Response.StatusCode = 404;
                ctx.Response.Close();
                continue;
            }
            ctx.Response.ContentLength64 = file.Body.Length;
            if (file.Truncate)
            {
                await ctx.Response.OutputStream.WriteAsync(file.Body.AsMemory(0, file.Body.Length / 2));
                await ctx.Response.OutputStream.FlushAsync();
                ctx.Response.Abort(); // the connection drops mid-transfer
            }
            else
            {
                await ctx.Response.OutputStream.WriteAsync(file.Body);
                ctx.Response.Close();
            }
        }
    }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        Directory.Delete(dir, true);
    }

    static readonly byte[] Payload = File.ReadAllBytes(Reference.Model("tiny-rn.pt"));
    static readonly string PayloadSha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Payload));
    readonly ModelDownloader downloader = new(new HttpClient());

    [Fact]
    public async Task A_verified_download_lands_under_its_final_name()
    {
        files["/model.pt"] = (Payload, false);
        string target = Path.Combine(dir, "model.pt");
        var reports = new List<DownloadProgress>();
        await downloader.DownloadAsync(
            new Uri(baseUrl + "/model.pt"), PayloadSha, 1L << 30, target, new Cli.SynchronousProgressFor(reports));
        Assert.Equal(Payload, File.ReadAllBytes(target));
        Assert.Equal(Payload.Length, reports[^1].Received);
        Assert.Equal(Payload.Length, reports[^1].Total);
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public async Task A_wrong_hash_is_an_error_and_leaves_no_file()
    {
        files["/model.pt"] = (Payload, false);
        string target = Path.Combine(dir, "model.pt");
        string wrong = new('0', 64);
        var e = await Assert.ThrowsAsync<DownloadException>(
            () => downloader.DownloadAsync(new Uri(baseUrl + "/model.pt"), wrong, 1L << 30, target));
        Assert.Equal($"Download of model.pt from {baseUrl}/model.pt has SHA-256 {PayloadSha}, expected {wrong}; " +
            "the file was discarded", e.Message);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public async Task A_truncated_transfer_is_an_error_and_leaves_no_file()
    {
        files["/model.pt"] = (Payload, true);
        string target = Path.Combine(dir, "model.pt");
        var e = await Assert.ThrowsAsync<DownloadException>(
            () => downloader.DownloadAsync(new Uri(baseUrl + "/model.pt"), PayloadSha, 1L << 30, target));
        Assert.Contains($"Download of model.pt from {baseUrl}/model.pt ended after", e.Message);
        Assert.Contains($"of {Payload.Length} bytes; the file was discarded", e.Message);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void Clip_download_from_a_mirror_fetches_the_vocab_and_refuses_a_forged_checkpoint()
    {
        var rn50 = ModelRegistry.Find("RN50")!;
        files[$"/{rn50.Sha256}/RN50.pt"] = (Payload, false);   // not the released bytes
        files[$"/{ModelRegistry.Vocabulary.File}"] = (File.ReadAllBytes(Reference.Vocab), false);
        string weights = Path.Combine(dir, "weights");
        Environment.SetEnvironmentVariable("CLIP_WEIGHTS", weights);
        try
        {
            var result = CliRunner.Run("download", "RN50", "--mirror", baseUrl);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"error: Download of RN50.pt from {baseUrl}/{rn50.Sha256}/RN50.pt " +
                $"has SHA-256 {PayloadSha}, expected {rn50.Sha256}", result.Error);
            Assert.Contains("Downloading RN50.pt", result.Error);
            string vocab = Path.Combine(weights, ModelRegistry.Vocabulary.File);
            Assert.Equal([vocab, vocab + VerifiedFile.StampSuffix], Directory.GetFiles(weights).Order());
        }
        finally { Environment.SetEnvironmentVariable("CLIP_WEIGHTS", null); }
    }
}
