using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>x·σ(1.702x): the GELU approximation CLIP was trained with (not nn.GELU).</summary>
public sealed class QuickGELU() : nn.Module<Tensor, Tensor>(nameof(QuickGELU))
{
    public override Tensor forward(Tensor x) => x * torch.sigmoid(x * 1.702);
}
