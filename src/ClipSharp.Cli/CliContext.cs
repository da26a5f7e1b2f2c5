using ClipSharp.Checkpoints;

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

    /// <summary>Download progress: a line each 10 % (and at the end), so logs stay readable.</summary>
    public IProgress<DownloadProgress> DownloadProgress()
    {
        var shown = new Dictionary<string, int>();
        return new SynchronousProgress<DownloadProgress>(p =>
        {
            int step = p.Total is > 0 ? (int)(p.Received * 10 / p.Total.Value) : (int)(p.Received >> 26);
            if (shown.TryGetValue(p.File, out int last) && last == step) return;
            shown[p.File] = step;
            string total = p.Total is long t ? $"/{t / 1048576.0:F1} MiB ({p.Received * 100 / Math.Max(t, 1)}%)" : " MiB";
            Error.WriteLine($"Downloading {p.File}: {p.Received / 1048576.0:F1}{total}");
        });
    }

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

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
