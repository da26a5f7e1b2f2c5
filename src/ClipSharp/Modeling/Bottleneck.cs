using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>ModifiedResNet's bottleneck: all convolutions have stride 1; a strided block downsamples with
/// AvgPool2d(stride) after conv2 (anti-aliased striding), and its shortcut is AvgPool2d → 1×1 conv → BN.</summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    public const int Expansion = 4;

    readonly Conv2d conv1;
    readonly BatchNorm2d bn1;
    readonly ReLU relu1;
    readonly Conv2d conv2;
    readonly BatchNorm2d bn2;
    readonly ReLU relu2;
    readonly AvgPool2d? avgpool;
    readonly Conv2d conv3;
    readonly BatchNorm2d bn3;
    readonly ReLU relu3;
    readonly Sequential? downsample;
    readonly int stride;

    /// <summary>The block's downsampling factor (1 or 2).</summary>
    internal int Stride => stride;
    bool folded;                                  // batch norms folded into the convolutions: skip them
    (AvgPool2d Pool, Conv2d Conv)? foldedShortcut; // the downsample without its batch norm
    PackedBlock? packed;                          // the folded convolutions in oneDNN's layout

    public Bottleneck(int inplanes, int planes, int stride = 1, Device? device = null) : base(nameof(Bottleneck))
    {
        conv1 = nn.Conv2d(inplanes, planes, 1, bias: false, device: device);
        bn1 = nn.BatchNorm2d(planes, device: device);
        relu1 = nn.ReLU(inplace: true);
        conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false, device: device);
        bn2 = nn.BatchNorm2d(planes, device: device);
        relu2 = nn.ReLU(inplace: true);
        this.stride = stride;
        avgpool = stride > 1 ? nn.AvgPool2d(stride) : null;
        conv3 = nn.Conv2d(planes, planes * Expansion, 1, bias: false, device: device);
        bn3 = nn.BatchNorm2d(planes * Expansion, device: device);
        relu3 = nn.ReLU(inplace: true);
        if (stride > 1 || inplanes != planes * Expansion)
            downsample = nn.Sequential(
                ("-1", nn.AvgPool2d(stride)),
                ("0", nn.Conv2d(inplanes, planes * Expansion, 1, bias: false, device: device)),
                ("1", nn.BatchNorm2d(planes * Expansion, device: device)));
        RegisterComponents();
    }

    internal void FoldBatchNorms()
    {
        if (folded) return;
        InferenceLayout.FoldBatchNorm(conv1, bn1);
        InferenceLayout.FoldBatchNorm(conv2, bn2);
        InferenceLayout.FoldBatchNorm(conv3, bn3);
        if (downsample is not null)
        {
            var parts = downsample.named_children().ToDictionary(c => c.name, c => c.module);
            var (pool, conv) = ((AvgPool2d)parts["-1"], (Conv2d)parts["0"]);
            InferenceLayout.FoldBatchNorm(conv, (BatchNorm2d)parts["1"]);
            foldedShortcut = (pool, conv);
        }
        folded = true;
    }

    Tensor Norm(BatchNorm2d bn, Tensor x) => folded ? x : bn.call(x);

    /// <summary>Packs the folded convolutions for <paramref name="dtype"/> and inputs of <paramref name="size"/>²
    /// pixels (see <see cref="PackedConvolution"/>); false where oneDNN's fused convolution is not available.</summary>
    internal bool Pack(long size, ScalarType dtype)
    {
        Unpack();
        if (!folded) return false;
        long after = size / stride; // conv3 and the shortcut see the pooled map
        var parts = new[]
        {
            PackedConvolution.TryPack(conv1, size, dtype), PackedConvolution.TryPack(conv2, size, dtype),
            PackedConvolution.TryPack(conv3, after, dtype),
            foldedShortcut is var (_, conv) ? PackedConvolution.TryPack(conv, after, dtype) : null,
        };
        if (parts[..3].Any(p => p is null) || (foldedShortcut is not null && parts[3] is null))
        {
            foreach (var part in parts) part?.Dispose();
            return false;
        }
        packed = new PackedBlock(parts[0]!, parts[1]!, parts[2]!, parts[3]);
        return true;
    }

    /// <summary>Drops the packed weights (before the compute type changes, or on dispose).</summary>
    internal void Unpack()
    {
        packed?.Dispose();
        packed = null;
    }

    public override Tensor forward(Tensor x)
    {
        if (packed is { } p) return PackedForward(p, x, consumeInput: false);
        using var scope = torch.NewDisposeScope();
        var y = conv1.call(x).ThenDispose(t => Norm(bn1, t)).ThenDispose(relu1.call)
            .ThenDispose(conv2.call).ThenDispose(t => Norm(bn2, t)).ThenDispose(relu2.call);
        if (avgpool is not null) y = y.ThenDispose(avgpool.call);
        y = y.ThenDispose(conv3.call).ThenDispose(t => Norm(bn3, t));
        var identity = foldedShortcut is var (pool, conv) ? pool.call(x).ThenDispose(conv.call)
            : downsample is null ? x : downsample.call(x);
        return scope.MoveToOuter(relu3.call(y.add_(identity)));
    }

    /// <summary>The block of an intermediate activation that the caller gives up: once packed, its output is written
    /// over <paramref name="x"/> where the shortcut is the identity (one activation fewer alive at the peak).</summary>
    internal Tensor ForwardConsuming(Tensor x) =>
        packed is { } p ? PackedForward(p, x, consumeInput: true) : forward(x);

    /// <summary>Five oneDNN calls for a plain block and three fewer passes over memory than the unfused order: each
    /// ReLU runs inside its convolution and conv3 adds the shortcut in its output loop.</summary>
    Tensor PackedForward(PackedBlock p, Tensor x, bool consumeInput)
    {
        var y = p.Conv1.Relu(x).ThenDispose(p.Conv2.Relu);
        if (avgpool is not null) y = y.ThenDispose(avgpool.call);
        using (y)
        {
            if (p.Shortcut is null) return consumeInput ? p.Conv3.AddReluInto(x, y) : p.Conv3.AddRelu(y, x);
            using var identity = foldedShortcut!.Value.Pool.call(x).ThenDispose(p.Shortcut.Plain);
            return p.Conv3.AddReluInto(identity, y);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Unpack();
        base.Dispose(disposing);
    }

    sealed record PackedBlock(PackedConvolution Conv1, PackedConvolution Conv2, PackedConvolution Conv3,
        PackedConvolution? Shortcut) : IDisposable
    {
        public void Dispose()
        {
            foreach (var part in new[] { Conv1, Conv2, Conv3, Shortcut }) part?.Dispose();
        }
    }
}
