namespace ClipSharp.Cli.Benchmarking;

/// <summary>When a case's timings cannot be trusted: its slowest run took more than 1.5× its fastest, so something
/// else was using the machine (a quiet machine stays within about ±15 %).</summary>
public static class Stability
{
    public const double MaxSpread = 1.5;

    public static bool IsUnstable(double minMs, double maxMs) => minMs > 0 && maxMs / minMs > MaxSpread;
}
