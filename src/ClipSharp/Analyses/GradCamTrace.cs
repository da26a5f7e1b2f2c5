using static TorchSharp.torch;

namespace ClipSharp.Analyses;

/// <summary>What Grad-CAM differentiates, for n images and K classes: the last ResNet stage's output
/// A [n, C, G, G], ∂y_k/∂A [n, K, C, G, G] and the logits y [n, K] (exp(logit_scale) · cosine, as the zero-shot
/// evaluation computes them). All float32.</summary>
public sealed record GradCamTrace(Tensor Activation, Tensor Gradient, Tensor Logits) : IDisposable
{
    /// <summary>ReLU(Σ_c α_c·A_c) with α_c the grid mean of ∂y_k/∂A_c: [n, K, G, G], not normalised.</summary>
    public Tensor Maps() => GradCam.Weigh(Activation, Gradient);

    public void Dispose()
    {
        Activation.Dispose();
        Gradient.Dispose();
        Logits.Dispose();
    }
}
