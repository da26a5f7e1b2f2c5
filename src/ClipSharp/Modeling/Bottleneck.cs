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

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = relu1.call(bn1.call(conv1.call(x)));
        y = relu2.call(bn2.call(conv2.call(y)));
        if (avgpool is not null) y = avgpool.call(y);
        y = bn3.call(conv3.call(y));
        var identity = downsample is null ? x : downsample.call(x);
        return scope.MoveToOuter(relu3.call(y.add_(identity)));
    }
}
