using ClipSharp.Evaluation;

namespace ClipSharp.Tests.Analyses;

/// <summary>The evaluation metrics against values worked out by hand (the Wilson bounds as the roots of
/// (p̂ − p)² = z²·p(1 − p)/n; AUC by counting pairs; AP step by step).</summary>
public class MetricsTests
{
    [Theory]
    [InlineData(9, 27, 0.1864326140983496, 0.5217523963890076)]
    [InlineData(0, 10, 0.0, 0.2775328030260577)]
    [InlineData(10, 10, 0.7224671969739425, 1.0)]
    [InlineData(45, 50, 0.786397684513868, 0.9565242353432408)]
    public void Wilson_interval_bounds_are_the_roots_of_the_score_equation(int k, int n, double low, double high)
    {
        var interval = WilsonInterval.Of(k, n);
        Assert.Equal(low, interval.Low, 1e-12);
        Assert.Equal(high, interval.High, 1e-12);
        Assert.InRange((double)k / n, interval.Low, interval.High);
    }

    [Fact]
    public void Wilson_interval_of_nothing_is_undefined_and_of_an_impossible_count_an_error()
    {
        Assert.True(double.IsNaN(WilsonInterval.Of(0, 0).Low));
        Assert.Throws<ArgumentOutOfRangeException>(() => WilsonInterval.Of(5, 4));
    }

    [Fact]
    public void Roc_auc_counts_a_tied_positive_negative_pair_as_half()
    {
        // Positives 0.9, 0.8; negatives 0.8, 0.3: pairs 1 + 1 + ½ (the tie) + 1 = 3.5 of 4.
        var roc = RocCurve.Of([0.9, 0.8, 0.8, 0.3], [true, false, true, false]);
        Assert.Equal(0.875, roc.Area, 1e-12);
        Assert.Equal([0.0, 0.0, 0.5, 1.0], roc.FalsePositiveRates);
        Assert.Equal([0.0, 0.5, 1.0, 1.0], roc.TruePositiveRates);
        Assert.Equal(0.5, RocCurve.Of([0.4, 0.4, 0.4], [true, false, true]).Area, 1e-12);
        Assert.Equal(0.0, RocCurve.Of([0.1, 0.9], [true, false]).Area, 1e-12);
    }

    [Fact]
    public void Average_precision_treats_tied_scores_as_one_threshold()
    {
        // 0.9: 1 of 1 positive (R ½, P 1); 0.8 (tied pair): R 1, P ⅔ → ½·1 + ½·⅔.
        Assert.Equal(0.5 + 0.5 * 2.0 / 3, AveragePrecision.Of([0.9, 0.8, 0.8, 0.3], [true, false, true, false]), 1e-12);
        // All tied: one threshold, R 1 at P ⅔ (ranking the positives first would give ⅚).
        Assert.Equal(2.0 / 3, AveragePrecision.Of([0.8, 0.8, 0.8], [true, false, true]), 1e-12);
        // Positives ranked 1st and 3rd: ½·1 + ½·⅔.
        Assert.Equal(0.5 + 0.5 * 2.0 / 3, AveragePrecision.Of([0.9, 0.7, 0.5, 0.1], [true, false, true, false]), 1e-12);
    }

    [Fact]
    public void Metrics_with_one_class_absent_are_undefined_and_mismatched_inputs_an_error()
    {
        Assert.True(double.IsNaN(RocCurve.Of([0.2, 0.7], [true, true]).Area));
        Assert.True(double.IsNaN(AveragePrecision.Of([0.2, 0.7], [false, false])));
        Assert.Throws<ArgumentException>(() => RocCurve.Of([0.2, 0.7], [true]));
        Assert.Throws<ArgumentException>(() => AveragePrecision.Of([double.NaN], [true]));
    }
}
