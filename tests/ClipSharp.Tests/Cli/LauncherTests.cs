using System.Diagnostics;

namespace ClipSharp.Tests.Cli;

/// <summary>The <c>./clip</c> launcher at the repository root: it builds the CLI in Release when needed and runs it,
/// so a fresh clone has a <c>clip</c> command.</summary>
public class LauncherTests
{
    static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ClipNotebooks.sln"))) return d.FullName;
        throw new InvalidOperationException("ClipNotebooks.sln not found above the test folder");
    }

    static (int Code, string Output, string Error) Launch(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot(), "clip"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("./clip did not finish in 10 minutes");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    [SkippableFact]
    public void The_launcher_runs_clip_help_and_a_second_run_does_not_build()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "the launcher is a bash script");
        var first = Launch("--help");
        Assert.True(first.Code == 0, first.Error);
        Assert.Contains("Usage:", first.Output);
        Assert.Contains("  classify", first.Output);

        var second = Launch("models", "--format", "csv");
        Assert.True(second.Code == 0, second.Error);
        Assert.DoesNotContain("building", second.Error);
        Assert.StartsWith("name,status,file", second.Output);
    }
}
