using System.Diagnostics;
using System.Runtime.InteropServices;
using ClipSharp.Checkpoints;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Hardening;

/// <summary><c>clip download</c> killed with SIGINT or SIGTERM while the server trickles: the temporary file is
/// deleted, one <c>error:</c> line says so, and the exit code is the signal's (128 + n). The <c>clip</c> process runs
/// apart (dotnet exec clip.dll) so the signal reaches only it.</summary>
public sealed class DownloadInterruptTests : DownloadServerTest
{
    [DllImport("libc", EntryPoint = "signal")]
    static extern IntPtr Signal(int signal, IntPtr handler);

    /// <summary>A test host started as a background job of a non-interactive shell (<c>dotnet test &amp;</c>)
    /// ignores SIGINT, and so would <c>clip</c>, inheriting it (the .NET runtime keeps an inherited SIGINT ignored,
    /// as a background job should). Give SIGINT its default action back so the child sees what a user's
    /// foreground <c>clip</c> sees.</summary>
    static void RestoreInterruptIfIgnored()
    {
        const int sigint = 2;
        var ignored = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:"));
        if (ignored is not null && (Convert.ToUInt64(ignored[7..].Trim(), 16) & (1UL << (sigint - 1))) != 0)
            Signal(sigint, IntPtr.Zero); // SIG_DFL
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public void A_signal_during_a_download_deletes_the_partial_file_and_says_so(string signal, int exitCode)
    {
        if (signal == "INT") RestoreInterruptIfIgnored();
        string weights = Path.Combine(Dir, "w1");
        Server["/" + ModelRegistry.Vocabulary.File] = DownloadDripRoute.Drip(TimeSpan.FromMilliseconds(100), 3000);
        var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "clip.dll"),
            "download", "RN50", "--mirror", Server.BaseUrl])
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            Environment = { ["CLIP_WEIGHTS"] = weights, ["CLIP_DOWNLOAD_MIN_RATE"] = "0" },
        };
        using var clip = Process.Start(start)!;
        var stderr = clip.StandardError.ReadToEndAsync();
        var stdout = clip.StandardOutput.ReadToEndAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            while (!(Directory.Exists(weights) && Directory.EnumerateFiles(weights, "*.partial").Any()))
            {
                if (clip.HasExited) Assert.Fail($"clip ended before downloading: {stderr.Result}");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no .partial file appeared within 60 s");
                Thread.Sleep(50);
            }
            Thread.Sleep(300); // a few bytes in
            using (var kill = Process.Start("kill", [$"-{signal}", clip.Id.ToString()])) kill.WaitForExit();
            Assert.True(clip.WaitForExit(TimeSpan.FromSeconds(30)), "clip did not end within 30 s of the signal");
        }
        finally
        {
            if (!clip.HasExited) clip.Kill();
        }
        Assert.Equal(exitCode, clip.ExitCode);
        var errors = stderr.Result.Split('\n').Where(l => l.StartsWith("error:")); // the rest is progress
        Assert.Equal($"error: Download of {ModelRegistry.Vocabulary.File} from {Server.BaseUrl}/" +
            $"{ModelRegistry.Vocabulary.File} interrupted by SIG{signal}; nothing was kept", Assert.Single(errors));
        Assert.DoesNotContain("   at ", stderr.Result); // no stack trace
        Assert.DoesNotContain("verified", stdout.Result);
        Assert.False(Directory.Exists(weights)); // no .partial, no final file: the folder it made is gone too
    }
}
