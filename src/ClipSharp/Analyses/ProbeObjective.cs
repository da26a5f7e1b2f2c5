using static TorchSharp.torch;

namespace ClipSharp.Analyses;

/// <summary>The linear probe's loss and gradient in float64 for a flat parameter vector (W row-major, then b):
/// loss = mean cross-entropy + (λ/2)‖W‖², ∂W = (P − Y)ᵀX / n + λW, ∂b = Σ(P − Y) / n.</summary>
sealed class ProbeObjective : IDisposable
{
    readonly Tensor x, y;
    readonly int classes, width, n;
    readonly double l2;

    public ProbeObjective(Tensor features, IReadOnlyList<int> labels, int classes, double l2)
    {
        (this.classes, this.l2, width, n) = (classes, l2, (int)features.shape[1], labels.Count);
        x = features.to_type(ScalarType.Float64).contiguous();
        using var index = tensor(labels.ToArray(), ScalarType.Int64);
        y = nn.functional.one_hot(index, classes).to_type(ScalarType.Float64);
    }

    public (double Loss, double[] Gradient) Evaluate(double[] theta)
    {
        using var scope = NewDisposeScope();
        var t = tensor(theta, ScalarType.Float64);
        var w = t.narrow(0, 0, classes * width).view(classes, width);
        var b = t.narrow(0, classes * width, classes);
        var logits = x.matmul(w.t()) + b;
        var logSoftmax = logits.log_softmax(1);
        double loss = -(logSoftmax * y).sum().item<double>() / n + l2 / 2 * w.square().sum().item<double>();
        var residual = logSoftmax.exp() - y;
        var gradW = residual.t().matmul(x) / n + l2 * w;
        var gradB = residual.sum(dim: 0L) / n;
        return (loss, cat([gradW.flatten(), gradB]).data<double>().ToArray());
    }

    public void Dispose()
    {
        x.Dispose();
        y.Dispose();
    }
}
