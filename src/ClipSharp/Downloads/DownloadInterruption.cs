using System.Runtime.InteropServices;

namespace ClipSharp.Downloads;

/// <summary>
/// While a download runs, SIGINT (Ctrl+C), SIGTERM and SIGHUP cancel it instead of ending the process on the spot, so
/// its cleanup runs (the temporary file or folder is deleted) and the caller gets a
/// <see cref="DownloadInterruptedException"/>. Outside a download (after <see cref="Dispose"/>) the signals have their
/// usual effect again. Scopes may nest: each one sees the signal.
/// </summary>
internal sealed class DownloadInterruption : IDisposable
{
    static readonly PosixSignal[] Watched = [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP];

    readonly CancellationTokenSource source = new();
    readonly List<PosixSignalRegistration> registrations = [];
    int signal; // the PosixSignal received (0: none), written by the signal thread

    DownloadInterruption()
    {
        foreach (var watched in Watched)
        {
            try { registrations.Add(PosixSignalRegistration.Create(watched, OnSignal)); }
            catch (PlatformNotSupportedException) { } // e.g. SIGHUP on Windows: that signal keeps its default
        }
    }

    /// <summary>Starts watching the signals until disposed.</summary>
    public static DownloadInterruption Watch() => new();

    /// <summary>Cancelled when a watched signal arrives.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>The signal that interrupted the download, or null.</summary>
    public PosixSignal? Signal => signal == 0 ? null : (PosixSignal)signal;

    void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // the download ends itself, through its finally blocks
        Interlocked.CompareExchange(ref signal, (int)context.Signal, 0);
        try { source.Cancel(); }
        catch (ObjectDisposedException) { } // the download ended meanwhile
    }

    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
        source.Dispose();
    }
}
