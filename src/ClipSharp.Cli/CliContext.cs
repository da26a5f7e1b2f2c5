using ClipSharp.Downloads;
using ClipSharp.Checkpoints;
using ClipSharp.Cli.Rendering;
using Spectre.Console;

namespace ClipSharp.Cli;

/// <summary>The streams a command reads and reports to, whether each is a terminal, and progress display on the
/// error stream: Spectre.Console bars with rate and ETA on a terminal, plain lines otherwise (logs, pipes, tests).
/// </summary>
public sealed class CliContext(TextWriter output, TextWriter error, TextReader? input = null, bool? terminal = null)
    : IDisposable
{
    LiveProgress? live;

    public TextWriter Output { get; } = output;
    public TextWriter Error { get; } = error;
    /// <summary>Standard input (<c>-</c> arguments read it).</summary>
    public TextReader Input { get; } = input ?? System.Console.In;

    /// <summary>True when tables may be drawn with boxes and colour: stdout is the console, not redirected.</summary>
    public bool OutputIsTerminal { get; } =
        terminal ?? (ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected);

    /// <summary>True when progress may be redrawn in place: stderr is the console, not redirected.</summary>
    public bool ErrorIsTerminal { get; } =
        terminal ?? (ReferenceEquals(error, System.Console.Error) && !System.Console.IsErrorRedirected);

    /// <summary>A Spectre console writing to <see cref="Output"/>, with ANSI only on a terminal.</summary>
    public IAnsiConsole Console() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Output),
        Ansi = OutputIsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
        Interactive = OutputIsTerminal ? InteractionSupport.Yes : InteractionSupport.No,
    });

    /// <summary>Download progress: a bar with size, rate and ETA on a terminal, else a line each 10 %.</summary>
    public IProgress<DownloadProgress> DownloadProgress() =>
        ErrorIsTerminal ? new DownloadBars(Live) : Downloads.DownloadProgress.Lines(Error);

    /// <summary>Counting progress for long loops: a bar with rate and ETA on a terminal, else a line each 10 %.
    /// </summary>
    public Action<int> Counter(string what, int total)
    {
        if (ErrorIsTerminal) return Live.Counter(what, total);
        int lastStep = -1;
        return done =>
        {
            int step = total == 0 ? 10 : done * 10 / total;
            if (step == lastStep) return;
            lastStep = step;
            Error.WriteLine($"{what}: {done}/{total}");
        };
    }

    LiveProgress Live => live ??= new LiveProgress(AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Error), Ansi = AnsiSupport.Detect, Interactive = InteractionSupport.Yes,
    }));

    /// <summary>Ends any progress display, so that what follows starts on a clean line.</summary>
    public void StopProgress() => live?.Stop();

    public void Dispose() => StopProgress();
}
