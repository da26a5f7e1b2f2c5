using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>Rewrites of trained weights that keep the function but run faster on the CPU.</summary>
static class InferenceLayout
{
    /// <summary>Folds an eval-mode batch norm into the preceding bias-free convolution:
    /// w' = w·γ/√(σ²+ε) per output channel and b' = β − μ·γ/√(σ²+ε).
    /// The batch norm is then skipped.</summary>
    public static void FoldBatchNorm(Conv2d conv, BatchNorm2d bn)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var scale = bn.weight! / (bn.running_var! + bn.eps).sqrt();
        var weight = conv.weight! * scale.view(-1, 1, 1, 1);
        var bias = bn.bias! - bn.running_mean! * scale;
        var old = conv.weight!;
        conv.weight = nn.Parameter(ChannelsLast(weight).MoveToOuterDisposeScope(), requires_grad: false);
        conv.bias = nn.Parameter(bias.MoveToOuterDisposeScope(), requires_grad: false);
        old.Dispose(); // not left to the garbage collector: a large model's worth of memory
    }

    /// <summary>The same NCHW tensor with NHWC strides: oneDNN's fast convolution layout on CPUs. TorchSharp has no
    /// memory_format argument, so the layout comes from permuting, copying and permuting back.</summary>
    public static Tensor ChannelsLast(Tensor x) =>
        x.dim() != 4 ? x : x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
}
