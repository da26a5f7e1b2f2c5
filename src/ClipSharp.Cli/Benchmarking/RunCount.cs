namespace ClipSharp.Cli.Benchmarking;

/// <summary>How long a benchmark case runs: at least <see cref="Runs"/> timed runs, and more until
/// <see cref="MinSeconds"/> have passed (at most <see cref="MaxRuns"/>). A median over a handful of 55 ms runs moves
/// with one slow run; ONNX Runtime's side of compare.sh runs for 6 s, so ours runs long enough to compare.</summary>
public readonly record struct RunCount(int Runs, double MinSeconds)
{
    public const int MaxRuns = 200;

    /// <summary>Whether to time another run after <paramref name="done"/> runs taking <paramref name="elapsed"/>.
    /// </summary>
    public bool More(int done, TimeSpan elapsed) =>
        done < Runs || (elapsed.TotalSeconds < MinSeconds && done < MaxRuns);
}
