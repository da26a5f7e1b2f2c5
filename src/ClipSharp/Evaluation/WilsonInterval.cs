namespace ClipSharp.Evaluation;

/// <summary>The Wilson score interval of a binomial proportion (successes of n trials). Unlike the normal
/// approximation it stays inside [0, 1] and is sensible at 0 % and 100 %, which small evaluations hit.</summary>
public readonly record struct WilsonInterval(double Low, double High)
{
    /// <summary>The two-sided 95 % normal quantile, to the precision the reference numbers use.</summary>
    public const double Z95 = 1.959964;

    public static WilsonInterval Of(int successes, int trials, double z = Z95)
    {
        if (trials < 0 || successes < 0 || successes > trials)
            throw new ArgumentOutOfRangeException(nameof(successes), $"{successes} successes of {trials} trials");
        if (trials == 0) return new WilsonInterval(double.NaN, double.NaN);
        double n = trials, p = successes / n, z2 = z * z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        // At 0 and n successes a bound is exactly 0 or 1; the formula reaches it only up to rounding.
        return new WilsonInterval(successes == 0 ? 0 : centre - half, successes == trials ? 1 : centre + half);
    }

    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{Low:F4}, {High:F4}]");
}
