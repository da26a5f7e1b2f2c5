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
    bool folded;                                  // batch norms folded into the convolutions: skip them
    (AvgPool2d Pool, Conv2d Conv)? foldedShortcut; // the downsample without its batch norm

    public Bottleneck(int inplanes, int planes, int stride = 1) : base(nameof(Bottleneck))
    {
        conv1 = nn.Conv2d(inplanes, planes, 1, bias: false);
        bn1 = nn.BatchNorm2d(planes);
        relu1 = nn.ReLU(inplace: true);
        conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        relu2 = nn.ReLU(inplace: true);
        avgpool = stride > 1 ? nn.AvgPool2d(stride) : null;
        conv3 = nn.Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = nn.BatchNorm2d(planes * Expansion);
        relu3 = nn.ReLU(inplace: true);
        if (stride > 1 || inplanes != planes * Expansion)
            downsample = nn.Sequential(
                ("-1", nn.AvgPool2d(stride)),
                ("0", nn.Conv2d(inplanes, planes * Expansion, 1, bias: false)),
                ("1", nn.BatchNorm2d(planes * Expansion)));
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

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = conv1.call(x).Then(t => Norm(bn1, t)).Then(relu1.call)
            .Then(conv2.call).Then(t => Norm(bn2, t)).Then(relu2.call);
        if (avgpool is not null) y = y.Then(avgpool.call);
        y = y.Then(conv3.call).Then(t => Norm(bn3, t));
        var identity = foldedShortcut is var (pool, conv) ? pool.call(x).Then(conv.call) : downsample is null ? x : downsample.call(x);
        return scope.MoveToOuter(relu3.call(y.add_(identity)));
    }
}
