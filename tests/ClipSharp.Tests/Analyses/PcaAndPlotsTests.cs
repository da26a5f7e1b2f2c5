using ClipSharp.Analyses;
using ClipSharp.Notebooks;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Analyses;

/// <summary>The PCA behind the embedding map keeps a plane's geometry, and the analysis charts carry their
/// data.</summary>
public class PcaAndPlotsTests
{
    [Fact]
    public void Pca_of_points_on_a_plane_keeps_their_distances_and_explains_all_variance()
    {
        // Points on a tilted plane in 3-D: two components hold everything, so distances survive the projection.
        var random = new Random(5);
        var rows = Enumerable.Range(0, 12).Select(_ => (random.NextDouble() * 4, random.NextDouble()))
            .Select(p => new[] { p.Item1 + 1, p.Item1 - p.Item2, 2 * p.Item2 - 3 }).ToArray();
        using var x = tensor(rows.SelectMany(r => r).ToArray()).view(12, 3);
        var pca = Pca.Of(x);
        Assert.Equal(1.0, pca.ExplainedVariance.Sum(), 1e-9);
        Assert.True(pca.ExplainedVariance[0] >= pca.ExplainedVariance[1]);
        for (int i = 0; i < 12; i++)
            for (int j = i + 1; j < 12; j++)
            {
                double original = Math.Sqrt(Enumerable.Range(0, 3).Sum(k => Math.Pow(rows[i][k] - rows[j][k], 2)));
                double projected = Math.Sqrt(Math.Pow(pca.Points[i, 0] - pca.Points[j, 0], 2)
                    + Math.Pow(pca.Points[i, 1] - pca.Points[j, 1], 2));
                Assert.Equal(original, projected, 1e-9);
            }
        Assert.Throws<ArgumentException>(() => Pca.Of(x.narrow(0, 0, 1)));
    }

    [Fact]
    public void Learning_curve_and_map_hold_their_points_and_reject_mismatched_series()
    {
        var curve = AnalysisPlots.LearningCurve("curve",
            [new("probe", [1, 2, 4], [0.5, 0.625, 0.875], [0.1, 0.05, 0.0])], [("zero-shot", 0.6)]);
        string html = curve.ToHtml();
        Assert.Contains("0.625", html);
        Assert.Contains("\"error_y\"", html);
        Assert.Contains("zero-shot", html);
        var map = AnalysisPlots.Map("map", [new("image: cat", [0.5, -1.25], [2, 3], ["a.png", "b.png"])]);
        Assert.Contains("b.png", map.ToHtml());
        Assert.Throws<ArgumentException>(() => AnalysisPlots.LearningCurve("bad", [new("probe", [1, 2], [0.5])], []));
        Assert.Throws<ArgumentException>(() => AnalysisPlots.Map("bad", [new("g", [1], [1], [])]));
    }
}
