using System.Diagnostics;
using ClipSharp.Checkpoints;
using ClipSharp.Datasets;
using ClipSharp.Tests.Datasets;
using ClipSharp.Downloads;

namespace ClipSharp.Tests.Hardening;

/// <summary>Temporary files and folders that a killed download left (its process is gone) are deleted by the next
/// download to the same place; those of a live process, and files of other names, are kept.</summary>
public sealed class DownloadStalePartialTests : DownloadServerTest
{
    readonly ModelDownloader downloader = new(new HttpClient()) { ReadTimeout = TimeSpan.FromSeconds(10) };

    /// <summary>The pid of a process that has ended.</summary>
    static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    static string Random => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_dead_process_partial_is_deleted_by_the_next_download_and_a_live_one_is_kept()
    {
        string target = Path.Combine(Dir, "model.pt");
        string dead = $"{target}.{DeadPid()}.{Random}.partial";
        string live = $"{target}.{Environment.ProcessId}.{Random}.partial";
        string other = Path.Combine(Dir, $"notes.txt.{DeadPid()}.{Random}.partial");
        foreach (var f in new[] { dead, live, other }) File.WriteAllText(f, "left");
        Server["/model.pt"] = DownloadTestServer.Body("content"u8.ToArray());

        await downloader.DownloadAsync(new Uri(Server.BaseUrl + "/model.pt"), null, 1 << 20, target);

        Assert.Equal("content", File.ReadAllText(target));
        Assert.False(File.Exists(dead));
        Assert.Equal("left", File.ReadAllText(live)); // this process is running: maybe another download of ours
        Assert.Equal("left", File.ReadAllText(other)); // another destination's
    }

    [Fact]
    public async Task A_dead_process_glasses_work_folder_is_deleted_by_the_next_fetch()
    {
        string target = Path.Combine(Dir, "glasses");
        string dead = Path.Combine(Dir, $".glasses.{DeadPid()}.{Random}.partial");
        string live = Path.Combine(Dir, $".glasses.{Environment.ProcessId}.{Random}.partial");
        foreach (var d in new[] { dead, live }) File.WriteAllText(Path.Combine(Directory.CreateDirectory(d).FullName,
            GlassesDataset.ArchiveName), "half");
        Server["/" + GlassesDataset.ArchiveName] = DownloadTestServer.Body(FakeGlassesArchive.Build(rows: 4,
            images: 4));

        var fetch = await new KaggleDownloader(downloader).DownloadAsync(target, Server.BaseUrl);

        Assert.Equal(4, fetch.Summary.Rows);
        Assert.False(Directory.Exists(dead));
        Assert.True(File.Exists(Path.Combine(live, GlassesDataset.ArchiveName)));
    }
}
