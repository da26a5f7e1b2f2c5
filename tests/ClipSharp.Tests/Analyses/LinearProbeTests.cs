using ClipSharp.Analyses;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Analyses;

/// <summary>The linear probe solves its stated objective: the gradient, recomputed here with plain loops, vanishes at
/// the solution, and the answer does not depend on the training images' order.</summary>
public class LinearProbeTests
{
    /// <summary>Three noisy clusters on the unit sphere in 16 dimensions.</summary>
    static (Tensor Features, int[] Labels) Clusters(int perClass, int classes = 3, int width = 16, int seed = 1)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, classes)
            .Select(_ => Enumerable.Range(0, width).Select(_ => random.NextDouble() - 0.5).ToArray()).ToArray();
        var rows = new List<float>();
        var labels = new List<int>();
        for (int i = 0; i < perClass * classes; i++)
        {
            int c = i % classes;
            var v = centres[c].Select(x => x + 0.6 * (random.NextDouble() - 0.5)).ToArray();
            double norm = Math.Sqrt(v.Sum(x => x * x));
            rows.AddRange(v.Select(x => (float)(x / norm)));
            labels.Add(c);
        }
        return (tensor(rows.ToArray()).view(perClass * classes, width), labels.ToArray());
    }

    /// <summary>(1/n)(P − Y)ᵀX + λW and (1/n)Σ(P − Y), from the probe's W and b, in plain double loops.
    /// </summary>
    static double[] GradientByHand(LinearProbe probe, float[,] x, int[] labels)
    {
        int n = labels.Length, c = probe.Classes, d = probe.Width;
        var grad = new double[c * d + c];
        for (int i = 0; i < n; i++)
        {
            var logits = Enumerable.Range(0, c)
                .Select(k => probe.Bias[k] + Enumerable.Range(0, d).Sum(j => probe.Weights[k * d + j] * x[i, j]))
                .ToArray();
            double max = logits.Max(), sum = logits.Sum(l => Math.Exp(l - max));
            for (int k = 0; k < c; k++)
            {
                double r = Math.Exp(logits[k] - max) / sum - (labels[i] == k ? 1 : 0);
                for (int j = 0; j < d; j++) grad[k * d + j] += r * x[i, j] / n;
                grad[c * d + k] += r / n;
            }
        }
        for (int k = 0; k < c * d; k++) grad[k] += probe.L2 * probe.Weights[k];
        return grad;
    }

    static float[,] ToArray(Tensor t)
    {
        var values = t.contiguous().data<float>().ToArray();
        var m = new float[t.shape[0], t.shape[1]];
        Buffer.BlockCopy(values, 0, m, 0, values.Length * sizeof(float));
        return m;
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.001)]
    public void Gradient_of_the_objective_is_below_the_tolerance_at_the_solution(double l2)
    {
        var (features, labels) = Clusters(perClass: 8);
        using var _ = features;
        var probe = LinearProbe.Fit(features, labels, classes: 3, l2: l2);
        Assert.True(probe.Converged);
        var byHand = GradientByHand(probe, ToArray(features), labels);
        Assert.True(byHand.Max(Math.Abs) < 1e-6, $"largest gradient entry {byHand.Max(Math.Abs):G3}");
        Assert.True(probe.Weights.Max(Math.Abs) > 0.1, "the probe learned something"); // not the zero start
    }

    [Fact]
    public void Predictions_do_not_change_when_the_training_images_are_permuted()
    {
        var (features, labels) = Clusters(perClass: 6);
        var (test, _) = Clusters(perClass: 4, seed: 2);
        using var __ = features;
        using var ___ = test;
        var probe = LinearProbe.Fit(features, labels, classes: 3);
        var order = Enumerable.Range(0, labels.Length).OrderBy(i => (i * 7919) % 13).ThenBy(i => i).ToArray();
        using var index = tensor(order.Select(i => (long)i).ToArray());
        using var permuted = features.index_select(0, index);
        var again = LinearProbe.Fit(permuted, [.. order.Select(i => labels[i])], classes: 3);
        var (p, q) = (probe.Probabilities(test), again.Probabilities(test));
        for (int i = 0; i < p.GetLength(0); i++)
            for (int c = 0; c < 3; c++) Assert.Equal(p[i, c], q[i, c], 1e-5);
    }

    [Fact]
    public void First_K_split_takes_each_class_first_images_and_tests_on_the_rest()
    {
        int[] labels = [1, 0, 0, 1, 1, 0, 1];
        var split = ProbeSplit.FirstK(labels, ["a", "b"], shots: 2, "set.csv");
        Assert.Equal([0, 1, 2, 3], split.Train);
        Assert.Equal([4, 5, 6], split.Test);
        Assert.Equal(2, ProbeSplit.MaxShots(labels, 2));
        var draw = ProbeSplit.RandomK(labels, ["a", "b"], shots: 2, "set.csv", seed: 3);
        Assert.Equal(2, draw.Train.Count(i => labels[i] == 0));
        Assert.Equal(draw.Train, ProbeSplit.RandomK(labels, ["a", "b"], shots: 2, "set.csv", seed: 3).Train);
    }

    [Fact]
    public void A_class_without_a_test_image_left_is_an_error_naming_the_data_and_the_class()
    {
        var e = Assert.Throws<AnalysisException>(
            () => ProbeSplit.FirstK([0, 0, 0, 1, 1], ["cat", "dog"], shots: 2, "pets.csv"));
        Assert.Contains("'pets.csv'", e.Message);
        Assert.Contains("class 'dog' has 2 image(s)", e.Message);
        Assert.IsAssignableFrom<ClipSharpException>(e);
    }
}
