using System.Diagnostics;

namespace ClipSharp.Cli.Benchmarking;

/// <summary>One benchmark case: wall-clock statistics over timed runs, the work it did, and the process's peak
/// resident memory while it ran.</summary>
public sealed record Measurement(string Case, string Dtype, int Items, string Unit, double MedianMs, double MinMs,
    double MaxMs,
    double ItemsPerSecond, double? GflopPerSecond, double? PercentOfPeak, double PeakRssMib, int Runs = 1)
{
    /// <summary>Max/min over the runs above <see cref="Stability.MaxSpread"/>: the machine was busy.</summary>
    public bool Unstable => Stability.IsUnstable(MinMs, MaxMs);

    /// <summary>Times <paramref name="action"/> as <paramref name="runs"/> says after two warm-ups (oneDNN builds
    /// its kernels for a new shape on first use). The peak memory is reset first (Linux), so it is this case's.
    /// </summary>
    public static Measurement Run(string name, string dtype, int items, string unit, RunCount runs, Action action,
        double? gflopPerRun = null, double? peak = null)
    {
        PeakMemory.Reset();
        action();
        action();
        var times = new List<double>();
        for (var total = Stopwatch.StartNew(); runs.More(times.Count, total.Elapsed);)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        double median = times[times.Count / 2];
        double? rate = gflopPerRun / median * 1000;
        return new Measurement(name, dtype, items, unit, median, times[0], times[^1], items * 1000 / median, rate,
            rate / peak * 100, PeakMemory.MiB(), times.Count);
    }
}

/// <summary>The process's peak resident set (VmHWM), resettable on Linux through /proc/self/clear_refs.</summary>
public static class PeakMemory
{
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int MallocTrim(nuint pad);

    /// <summary>Hands the heap's free memory back (glibc keeps it: see MemoryTuning), so an earlier case's leftovers do
    /// not count as this case's, then starts a new peak.</summary>
    public static void Reset()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        try
        {
            MallocTrim(0);
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException
            or EntryPointNotFoundException) { } // not Linux/glibc: the peak is since start
    }

    public static double MiB()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:"));
            if (line is not null) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        catch (IOException) { }
        return Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
    }
}
