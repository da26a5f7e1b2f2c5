using System.Net.Http.Headers;
using System.Text;
using ClipSharp.Checkpoints;
using ClipSharp.Datasets;
using ClipSharp.Evaluation;
using ClipSharp.Tests.Hardening;
using ClipSharp.Downloads;

namespace ClipSharp.Tests.Datasets;

/// <summary>The glasses set fetched from a local server (as Kaggle's API or a mirror): unpacked flat into the layout
/// <c>evaluate</c> reads, verified, renamed into place only when complete; credentials go to the API alone.</summary>
public sealed class KaggleDownloaderTests : DownloadServerTest
{
    readonly ModelDownloader http = new(new HttpClient()) { ReadTimeout = TimeSpan.FromSeconds(5) };

    string Target => Path.Combine(Dir, "data", "glasses");
    string Mirror => Server.BaseUrl + "/mirror";
    const string ArchivePath = "/mirror/" + GlassesDataset.ArchiveName;

    KaggleDownloader Downloader(KaggleCredentials? credentials = null) =>
        new(http)
        {
            ApiUrl = new Uri(Server.BaseUrl + "/api/v1/datasets/download/x/y"), FindCredentials = () => credentials,
        };

    /// <summary>Nothing of a failed attempt is left: no data/glasses, no temporary folder beside it.</summary>
    void AssertNothingInstalled()
    {
        Assert.False(Directory.Exists(Target));
        string data = Path.Combine(Dir, "data");
        Assert.Empty(Directory.Exists(data) ? Directory.GetFileSystemEntries(data) : []);
    }

    [Fact]
    public async Task A_served_archive_unpacks_flat_into_the_layout_evaluate_reads()
    {
        Server[ArchivePath] = DownloadTestServer.Body(FakeGlassesArchive.Build(rows: 5, images: 5,
            zip => FakeGlassesArchive.Add(zip, "README.txt", "hello"u8.ToArray())));
        var fetch = await Downloader().DownloadAsync(Target, Mirror);
        Assert.True(fetch.Downloaded);
        Assert.Equal(5, fetch.Summary.Rows);
        Assert.Equal(0, fetch.Summary.MissingImages);
        Assert.Equal(["README.txt: not a file of the data set"], fetch.Extraction!.Skipped);
        Assert.Equal(["face-1.png", "face-2.png", "face-3.png", "face-4.png", "face-5.png", "train.csv"],
            Directory.GetFileSystemEntries(Target).Select(Path.GetFileName).Order());
        Assert.Equal(["glasses"], Directory.GetFileSystemEntries(Path.Combine(Dir, "data")).Select(Path.GetFileName));

        var set = LabeledImageSet.Load(Target, ["no glasses", "glasses"], limit: 100);
        Assert.Equal(5, set.Images.Count);
        Assert.Equal([1, 0, 1, 0, 1], set.Images.Select(i => i.Label));
        Assert.Equal(Path.Combine(Target, "face-2.png"), set.Images[1].Path);
    }

    [Fact]
    public async Task Through_the_api_the_credentials_reach_kaggle_but_not_the_storage_it_redirects_to()
    {
        Server["/api/v1/datasets/download/x/y"] = DownloadTestServer.Status(302, Server.BaseUrl + "/storage/set.zip");
        Server["/storage/set.zip"] = DownloadTestServer.Body(FakeGlassesArchive.Build(rows: 2, images: 2));
        var credentials = new KaggleCredentials(new AuthenticationHeaderValue("Basic", "dXNlcjprZXk="), "test");
        var fetch = await Downloader(credentials).DownloadAsync(Target);
        Assert.Equal(2, fetch.Summary.Rows);
        Assert.Equal([("/api/v1/datasets/download/x/y", "Basic dXNlcjprZXk="), ("/storage/set.zip", "")],
            Server.Requests.ToArray());
    }

    [Fact]
    public async Task A_mirror_never_receives_the_kaggle_credentials()
    {
        Server[ArchivePath] = DownloadTestServer.Body(FakeGlassesArchive.Build(rows: 1, images: 1));
        var credentials = new KaggleCredentials(new AuthenticationHeaderValue("Bearer", "secret"), "test");
        await Downloader(credentials).DownloadAsync(Target, Mirror);
        Assert.Equal([(ArchivePath, "")], Server.Requests.ToArray());
    }

    [Fact]
    public async Task A_401_without_credentials_says_how_to_set_them()
    {
        Server["/api/v1/datasets/download/x/y"] = DownloadTestServer.Status(401);
        var e = await Assert.ThrowsAsync<DataSetException>(() => Downloader().DownloadAsync(Target));
        Assert.Equal($"Download of {GlassesDataset.ArchiveName} from {Server.BaseUrl}/api/v1/datasets/download/x/y " +
            $"failed: HTTP 401 Status401: no Kaggle credentials were found. {KaggleCredentials.HowToSet}.", e.Message);
        Assert.Contains("KAGGLE_USERNAME and KAGGLE_KEY", e.Message);
        Assert.Contains("~/.kaggle/", e.Message);
        Assert.Contains("KAGGLE_API_TOKEN", e.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public async Task A_403_with_credentials_says_they_were_not_accepted()
    {
        Server["/api/v1/datasets/download/x/y"] = DownloadTestServer.Status(403);
        var credentials = new KaggleCredentials(new AuthenticationHeaderValue("Basic", "eDp5"),
            "KAGGLE_USERNAME/KAGGLE_KEY");
        var e = await Assert.ThrowsAsync<DataSetException>(() => Downloader(credentials).DownloadAsync(Target));
        Assert.Contains("HTTP 403 Status403: the credentials from KAGGLE_USERNAME/KAGGLE_KEY were not accepted. Set ",
            e.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public async Task A_traversal_entry_in_the_served_archive_writes_nothing_outside()
    {
        Server[ArchivePath] = DownloadTestServer.Body(FakeGlassesArchive.Build(rows: 2, images: 2, zip =>
        {
            FakeGlassesArchive.Add(zip, "../evil.png", FakeGlassesArchive.Png);
            FakeGlassesArchive.Add(zip, "../../face-3.png", FakeGlassesArchive.Png);
            FakeGlassesArchive.Add(zip, "/tmp/face-4.png", FakeGlassesArchive.Png);
        }));
        var fetch = await Downloader().DownloadAsync(Target, Mirror);
        Assert.Equal(3, fetch.Extraction!.SkippedCount);
        Assert.Equal(["data"], Directory.GetFileSystemEntries(Dir).Select(Path.GetFileName));
        Assert.Equal(["glasses"], Directory.GetFileSystemEntries(Path.Combine(Dir, "data")).Select(Path.GetFileName));
        Assert.Equal(3, Directory.GetFiles(Target).Length); // train.csv, face-1.png, face-2.png
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "evil.png")));
    }

    [Fact]
    public async Task A_transfer_cut_short_leaves_nothing_in_data_glasses()
    {
        var zip = FakeGlassesArchive.Build(rows: 3, images: 3);
        Server[ArchivePath] = DownloadTestServer.Body(zip[..(zip.Length / 2)], contentLength: zip.Length);
        var e = await Assert.ThrowsAsync<DownloadException>(() => Downloader().DownloadAsync(Target, Mirror));
        Assert.Contains($"of {zip.Length} bytes; the file was discarded", e.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public async Task A_truncated_archive_served_as_complete_leaves_nothing_in_data_glasses()
    {
        var zip = FakeGlassesArchive.Build(rows: 3, images: 3);
        Server[ArchivePath] = DownloadTestServer.Body(zip[..(zip.Length * 2 / 3)]);
        var e = await Assert.ThrowsAsync<DataSetException>(() => Downloader().DownloadAsync(Target, Mirror));
        Assert.Contains($"{GlassesDataset.ArchiveName}' is damaged or incomplete", e.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public async Task A_missing_image_among_the_first_100_rows_is_refused_and_nothing_is_installed()
    {
        Server[ArchivePath] = DownloadTestServer.Body(FakeGlassesArchive.Build(rows: 10, images: 6));
        var e = await Assert.ThrowsAsync<DataSetException>(() => Downloader().DownloadAsync(Target, Mirror));
        Assert.StartsWith($"The archive from {Server.BaseUrl}{ArchivePath} is not the expected set: '", e.Message);
        Assert.Contains("train.csv' line 8: the image face-7.png of row 7 is not in", e.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public async Task Rows_past_the_first_100_may_lack_their_image_and_are_counted()
    {
        Server[ArchivePath] = DownloadTestServer.Body(FakeGlassesArchive.Build(rows: 103, images: 101));
        var fetch = await Downloader().DownloadAsync(Target, Mirror);
        Assert.Equal(103, fetch.Summary.Rows);
        Assert.Equal(2, fetch.Summary.MissingImages);
        Assert.Equal("face-102.png", fetch.Summary.FirstMissing);
        Assert.Contains("2 images missing (first face-102.png", fetch.Summary.ToString());
    }

    [Fact]
    public async Task An_archive_without_the_kaggle_columns_is_refused()
    {
        string csv = "id,glasses\n1,0\n";
        Server[ArchivePath] = DownloadTestServer.Body(FakeGlassesArchive.Build(rows: 1, images: 1, csv: csv));
        var e = await Assert.ThrowsAsync<DataSetException>(() => Downloader().DownloadAsync(Target, Mirror));
        Assert.Contains("train.csv' has the columns id, glasses; expected id, v1 … v512, glasses", e.Message);
        AssertNothingInstalled();
    }

    [Fact]
    public async Task A_present_folder_is_verified_not_downloaded_and_force_replaces_it_only_when_complete()
    {
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "train.csv"), FakeGlassesArchive.Csv(1));
        File.WriteAllBytes(Path.Combine(Target, "face-1.png"), FakeGlassesArchive.Png);
        var fetch = await Downloader().DownloadAsync(Target, Mirror);
        Assert.False(fetch.Downloaded);
        Assert.Empty(Server.Requests);

        Server[ArchivePath] = DownloadTestServer.Status(500);
        await Assert.ThrowsAsync<DownloadException>(() => Downloader().DownloadAsync(Target, Mirror, force: true));
        Assert.Equal(["face-1.png", "train.csv"], Directory.GetFiles(Target).Select(Path.GetFileName).Order());

        Server[ArchivePath] = DownloadTestServer.Body(FakeGlassesArchive.Build(rows: 2, images: 2));
        fetch = await Downloader().DownloadAsync(Target, Mirror, force: true);
        Assert.True(fetch.Downloaded);
        Assert.Equal(["face-1.png", "face-2.png", "train.csv"],
            Directory.GetFiles(Target).Select(Path.GetFileName).Order());
        Assert.Equal(["glasses"], Directory.GetFileSystemEntries(Path.Combine(Dir, "data")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_present_folder_that_is_not_the_set_is_an_error_offering_force()
    {
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "train.csv"), "file,label\n", Encoding.UTF8);
        var e = await Assert.ThrowsAsync<DataSetException>(() => Downloader().DownloadAsync(Target, Mirror));
        Assert.EndsWith(
            $"Run `clip download glasses --force` to replace '{Target}' with a fresh copy, or fix it by hand.",
            e.Message);
    }
}
