using static TorchSharp.torch;

namespace ClipSharp.Analyses;

/// <summary>
/// Multinomial logistic regression on image features: W [classes, width] and b [classes] minimise
/// (1/n) Σ cross-entropy(W x + b, y) + (λ/2)·‖W‖² over the training images (b unpenalised). The problem is
/// strictly convex in W, so the solver (L-BFGS in float64) runs until the largest gradient entry is below the
/// tolerance and the answer does not depend on the order of the training images.
/// </summary>
public sealed class LinearProbe
{
    public const double DefaultL2 = 0.01;
    public const double DefaultTolerance = 1e-6;

    /// <summary>[classes, width], row-major.</summary>
    public double[] Weights { get; }
    public double[] Bias { get; }
    public int Classes { get; }
    public int Width { get; }
    public double L2 { get; }
    public int Iterations { get; }
    /// <summary>The largest absolute entry of the objective's gradient at the solution.</summary>
    public double GradientMax { get; }
    public bool Converged { get; }

    LinearProbe(double[] theta, int classes, int width, double l2, int iterations, double gradientMax, bool converged)
    {
        (Classes, Width, L2) = (classes, width, l2);
        (Iterations, GradientMax, Converged) = (iterations, gradientMax, converged);
        Weights = theta[..(classes * width)];
        Bias = theta[(classes * width)..];
    }

    /// <summary>Fits the probe to features [n, width] (used as given: normalise them first) with class
    /// indices.</summary>
    public static LinearProbe Fit(Tensor features, IReadOnlyList<int> labels, int classes, double l2 = DefaultL2,
        double tolerance = DefaultTolerance, int maxIterations = 20000)
    {
        if (features.dim() != 2 || features.shape[0] != labels.Count)
            throw new ArgumentException(
                $"Features are [{string.Join(", ", features.shape)}] for {labels.Count} labels");
        if (labels.Count == 0) throw new ArgumentException("A linear probe needs at least one training image");
        if (labels.Any(l => l < 0 || l >= classes))
            throw new ArgumentException($"A label is outside 0–{classes - 1}");
        if (!(l2 >= 0) || double.IsInfinity(l2))
            throw new ArgumentException($"The L2 strength must be ≥ 0; got {l2}");
        RequireFinite(features);
        int width = (int)features.shape[1];
        using var objective = new ProbeObjective(features, labels, classes, l2);
        var (theta, iterations, gradientMax) = Lbfgs.Minimise(objective.Evaluate, new double[classes * width + classes],
            tolerance, maxIterations);
        return new LinearProbe(theta, classes, width, l2, iterations, gradientMax, gradientMax < tolerance);
    }

    /// <summary>softmax(W x + b) for features [m, width]: [m, classes].</summary>
    public float[,] Probabilities(Tensor features)
    {
        RequireFinite(features);
        using var scope = NewDisposeScope();
        var x = features.to_type(ScalarType.Float64);
        var w = tensor(Weights, ScalarType.Float64).view(Classes, Width);
        var logits = x.matmul(w.t()) + tensor(Bias, ScalarType.Float64);
        var p = logits.softmax(1).to_type(ScalarType.Float32).contiguous();
        var values = p.data<float>().ToArray();
        var result = new float[p.shape[0], Classes];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(float));
        return result;
    }

    // NaN features would make the fit "converge" to NaN weights and report an accuracy anyway.
    static void RequireFinite(Tensor features)
    {
        using var scope = NewDisposeScope();
        if (!TorchSharp.torch.isfinite(features).all().item<bool>())
            throw new ClipSharpException("The linear probe's image features hold NaN/Inf (the input or the model's " +
                "weights overflow float32)");
    }

    /// <summary>The objective's gradient at this probe's parameters on the given training data (W entries, then
    /// b).</summary>
    public double[] Gradient(Tensor features, IReadOnlyList<int> labels)
    {
        using var objective = new ProbeObjective(features, labels, Classes, L2);
        return objective.Evaluate([.. Weights, .. Bias]).Gradient;
    }
}
