namespace ClipSharp.Notebooks;

/// <summary>One set of bins for every series of a histogram chart, so their bars have one width and can be compared:
/// <paramref name="Count"/> bins of width <paramref name="Size"/> (a 1, 2, 2.5 or 5 times a power of ten, so edges read
/// well) from <paramref name="Start"/>, covering every value.</summary>
public sealed record HistogramBins(double Start, double Size, int Count)
{
    public double End => Start + Size * Count;

    /// <summary>About <paramref name="target"/> bins over all the values (default 2·∛n, Rice's rule, 5 to
    /// 40).</summary>
    public static HistogramBins Cover(IReadOnlyCollection<double> values, int? target = null)
    {
        var finite = values.Where(double.IsFinite).ToList();
        int wanted = target ?? Math.Clamp((int)Math.Ceiling(2 * Math.Cbrt(Math.Max(1, finite.Count))), 5, 40);
        if (wanted < 1)
            throw new ArgumentOutOfRangeException(nameof(target), target, "A histogram needs at least one bin");
        if (finite.Count == 0) return new HistogramBins(0, 1.0 / wanted, wanted);
        double min = finite.Min(), max = finite.Max();
        double size = Nice(max > min ? (max - min) / wanted : Math.Max(Math.Abs(min), 1) / wanted);
        double start = Math.Floor(min / size) * size;
        int count = Math.Max(1, (int)Math.Floor((max - start) / size + 1e-9) + 1);
        return new HistogramBins(start, size, count);
    }

    /// <summary>How many values fall in each bin ([edge, next edge)).</summary>
    public int[] Counts(IEnumerable<double> values)
    {
        var counts = new int[Count];
        foreach (double v in values.Where(double.IsFinite))
            counts[Math.Clamp((int)Math.Floor((v - Start) / Size + 1e-9), 0, Count - 1)]++;
        return counts;
    }

    /// <summary>The smallest 1, 2, 2.5 or 5 × 10^k at least <paramref name="raw"/>.</summary>
    internal static double Nice(double raw)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (double step in new[] { 1, 2, 2.5, 5, 10 })
            if (step * power >= raw * (1 - 1e-12)) return step * power;
        return 10 * power;
    }
}
