using System.Runtime.InteropServices;

namespace ClipSharp.Downloads;

/// <summary>A download stopped by SIGINT, SIGTERM or SIGHUP (see <see cref="DownloadInterruption"/>);
/// its temporary file was deleted and nothing took the destination's name.</summary>
public sealed class DownloadInterruptedException(string message, PosixSignal signal)
    : ClipSharpException(message)
{
    public PosixSignal Signal { get; } = signal;

    /// <summary>What a shell reports for a process ended by this signal: 128 + its number.</summary>
    public int ExitCode => 128 + Signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        _ => 0,
    };

    /// <summary>"Download of NAME from URL interrupted by SIGINT; nothing was kept".</summary>
    public static DownloadInterruptedException Of(string name, Uri url, PosixSignal signal) =>
        new($"Download of {name} from {url} interrupted by {signal}; nothing was kept", signal);
}
