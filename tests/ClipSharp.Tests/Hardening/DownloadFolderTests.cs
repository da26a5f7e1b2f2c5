using ClipSharp.Downloads;

namespace ClipSharp.Tests.Hardening;

/// <summary>A failed download takes back the folder it made (an empty weights/ would become a workspace root), and
/// leaves a folder that was there before, or that holds anything, alone.</summary>
public sealed class DownloadFolderTests : DownloadServerTest
{
    readonly ModelDownloader downloader = new(new HttpClient()) { ReadTimeout = TimeSpan.FromSeconds(10) };

    Task Fail(string target) => Assert.ThrowsAsync<DownloadException>(() =>
        downloader.DownloadAsync(new Uri(Server.BaseUrl + "/missing.pt"), null, 1 << 20, target));

    [Fact]
    public async Task A_failed_download_removes_the_folder_it_made()
    {
        Server["/missing.pt"] = DownloadTestServer.Status(404);
        string folder = Path.Combine(Dir, "new", "weights");
        await Fail(Path.Combine(folder, "RN50.pt"));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task A_failed_download_keeps_a_folder_that_was_there()
    {
        Server["/missing.pt"] = DownloadTestServer.Status(404);
        string folder = Directory.CreateDirectory(Path.Combine(Dir, "weights")).FullName;
        await Fail(Path.Combine(folder, "RN50.pt"));
        Assert.True(Directory.Exists(folder));
    }

    [Fact]
    public async Task A_successful_download_keeps_the_folder_it_made()
    {
        Server["/model.pt"] = DownloadTestServer.Body("content"u8.ToArray());
        string target = Path.Combine(Dir, "made", "RN50.pt");
        await downloader.DownloadAsync(new Uri(Server.BaseUrl + "/model.pt"), null, 1 << 20, target);
        Assert.Equal("content", File.ReadAllText(target));
    }
}
