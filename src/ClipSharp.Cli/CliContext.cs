using ClipSharp.Checkpoints;
using ClipSharp.Downloads;

namespace ClipSharp.Cli;

/// <summary>The writers a command reports to, and progress display on the error stream.</summary>
public sealed class CliContext(TextWriter output, TextWriter error)
{
    public TextWriter Output { get; } = output;
    public TextWriter Error { get; } = error;

    /// <summary>A Spectre console writing to <see cref="Output"/> (tables), without colour codes when redirected.</summary>
    public Spectre.Console.IAnsiConsole Console() => Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
    {
        Out = new Spectre.Console.AnsiConsoleOutput(Output),
        Ansi = ReferenceEquals(Output, System.Console.Out) && !System.Console.IsOutputRedirected ? Spectre.Console.AnsiSupport.Detect : Spectre.Console.AnsiSupport.No,
    });

    /// <summary>Download progress on the error stream, a line each 10 %.</summary>
    public IProgress<DownloadProgress> DownloadProgress() => Downloads.DownloadProgress.Lines(Error);

    /// <summary>Counting progress for long loops: a redrawn bar on a terminal, else a line every ~10 %.</summary>
    public Action<int> Counter(string what, int total)
    {
        bool terminal = ReferenceEquals(Error, System.Console.Error) && !System.Console.IsErrorRedirected;
        int lastStep = -1;
        return done =>
        {
            int step = total == 0 ? 10 : done * (terminal ? 30 : 10) / total;
            if (step == lastStep) return;
            lastStep = step;
            if (!terminal) { Error.WriteLine($"{what}: {done}/{total}"); return; }
            int filled = total == 0 ? 30 : done * 30 / total;
            Error.Write($"\r{what} [{new string('#', filled)}{new string('.', 30 - filled)}] {done}/{total}");
            if (done >= total) Error.WriteLine();
        };
    }
}
