using ClipSharp.Downloads;
using ClipSharp.Checkpoints;
using Spectre.Console;

namespace ClipSharp.Cli.Rendering;

/// <summary>Download progress as one Spectre bar per file (size, MiB/s, ETA).</summary>
sealed class DownloadBars(LiveProgress live) : IProgress<DownloadProgress>
{
    readonly Dictionary<string, ProgressTask?> bars = [];

    public void Report(DownloadProgress value)
    {
        if (!bars.TryGetValue(value.File, out var bar))
            bars[value.File] = bar = live.Add($"Downloading {value.File}", value.Total ?? 0, LiveProgress.Bytes);
        live.Update(bar, value.Received, value.Total);
    }
}
