using ClipSharp.Cli;

namespace ClipSharp.Tests.Cli;

/// <summary>Runs the <c>clip</c> command in-process with captured output.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(params string[] args) => RunWithInput(null, args);

    /// <summary>Runs with <paramref name="stdin"/> as standard input.</summary>
    public static Result RunWithInput(string? stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ClipCli.Run(args, output, error, new StringReader(stdin ?? ""));
        return new Result(code, output.ToString(), error.ToString());
    }
}

/// <summary>Collects progress reports synchronously.</summary>
public sealed class SynchronousProgressFor(List<ClipSharp.Downloads.DownloadProgress> into)
    : IProgress<ClipSharp.Downloads.DownloadProgress>
{
    public void Report(ClipSharp.Downloads.DownloadProgress value) => into.Add(value);
}
