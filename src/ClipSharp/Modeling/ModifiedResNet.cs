using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>CLIP's ResNet image tower: a three-convolution stem with an average pool instead of a max pool,
/// anti-aliased strided bottlenecks, and attention pooling instead of global average pooling.</summary>
public sealed class ModifiedResNet : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1;
    readonly BatchNorm2d bn1;
    readonly ReLU relu1;
    readonly Conv2d conv2;
    readonly BatchNorm2d bn2;
    readonly ReLU relu2;
    readonly Conv2d conv3;
    readonly BatchNorm2d bn3;
    readonly ReLU relu3;
    readonly AvgPool2d avgpool;
    readonly Sequential layer1;
    readonly Sequential layer2;
    readonly Sequential layer3;
    readonly Sequential layer4;
    readonly AttentionPool2d attnpool;
    bool folded; // batch norms folded into the convolutions: skip them
    ScalarType blockType = ScalarType.Float32;
    readonly object packLock = new();
    PackedConvolution[]? packedStem; // with every block's convolutions, for inputs of packedSize² pixels
    long packedSize = -1;

    public ModifiedResNet(int[] layers, int outputDim, int heads, int inputResolution, int width,
        Device? device = null) : base(nameof(ModifiedResNet))
    {
        conv1 = nn.Conv2d(3, width / 2, 3, stride: 2, padding: 1, bias: false, device: device);
        bn1 = nn.BatchNorm2d(width / 2, device: device);
        relu1 = nn.ReLU(inplace: true);
        conv2 = nn.Conv2d(width / 2, width / 2, 3, padding: 1, bias: false, device: device);
        bn2 = nn.BatchNorm2d(width / 2, device: device);
        relu2 = nn.ReLU(inplace: true);
        conv3 = nn.Conv2d(width / 2, width, 3, padding: 1, bias: false, device: device);
        bn3 = nn.BatchNorm2d(width, device: device);
        relu3 = nn.ReLU(inplace: true);
        avgpool = nn.AvgPool2d(2);

        int inplanes = width;
        Sequential Stage(int planes, int blocks, int stride)
        {
            var stage = nn.Sequential();
            for (int i = 0; i < blocks; i++)
            {
                stage.append(i.ToString(), new Bottleneck(inplanes, planes, i == 0 ? stride : 1, device));
                inplanes = planes * Bottleneck.Expansion;
            }
            return stage;
        }
        layer1 = Stage(width, layers[0], 1);
        layer2 = Stage(width * 2, layers[1], 2);
        layer3 = Stage(width * 4, layers[2], 2);
        layer4 = Stage(width * 8, layers[3], 2);

        int embedDim = width * 32; // the ResNet feature dimension
        attnpool = new AttentionPool2d(inputResolution / 32, embedDim, heads, outputDim, device);
        RegisterComponents();
    }

    /// <summary>Folds every batch norm into its convolution, whose weights become channels-last
    /// (see <see cref="InferenceLayout"/>).</summary>
    internal void FoldBatchNorms()
    {
        if (folded) return;
        InferenceLayout.FoldBatchNorm(conv1, bn1);
        InferenceLayout.FoldBatchNorm(conv2, bn2);
        InferenceLayout.FoldBatchNorm(conv3, bn3);
        foreach (var block in Blocks) block.FoldBatchNorms();
        folded = true;
    }

    /// <summary>The bottleneck stages compute in <paramref name="dtype"/>. The stem and the attention pool stay
    /// float32: they cost 6% of the work, and in bf16 they put the image tower below cosine 0.999 to float32 (the stem
    /// sees raw normalised pixels; the pool makes the feature itself).</summary>
    internal void SetComputeType(ScalarType dtype)
    {
        Unpack();
        foreach (var block in Blocks) block.to(dtype);
        blockType = dtype;
    }

    /// <summary>The bottlenecks of the four stages, in order.</summary>
    IEnumerable<Bottleneck> Blocks =>
        new[] { layer1, layer2, layer3, layer4 }.SelectMany(l => l.children()).Cast<Bottleneck>();

    Tensor Norm(BatchNorm2d bn, Tensor x) => folded ? x : bn.call(x);

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(Stages(x).ThenDispose(attnpool.call));
    }

    /// <summary>The first half of the tower: stem to <c>layer4</c>, float32 [N, C, G, G], the attention pool's input
    /// (analyses such as Grad-CAM differentiate with respect to it).</summary>
    internal Tensor Stages(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var stem = folded ? PackedStem(x.shape[2]) : null;
        var h = stem is { } s ? StemPacked(s, x) : StemPlain(x);
        h = h.ThenDispose(avgpool.call).ThenDispose(t => t.to_type(blockType));
        foreach (var block in Blocks) h = h.ThenDispose(block.ForwardConsuming); // h is ours to overwrite
        return scope.MoveToOuter(h.ThenDispose(t => t.to_type(ScalarType.Float32)));
    }

    Tensor StemPlain(Tensor x) =>
        (folded ? InferenceLayout.ChannelsLast(x) : x.alias()).ThenDispose(conv1.call)
            .ThenDispose(t => Norm(bn1, t)).ThenDispose(relu1.call)
            .ThenDispose(conv2.call).ThenDispose(t => Norm(bn2, t)).ThenDispose(relu2.call)
            .ThenDispose(conv3.call).ThenDispose(t => Norm(bn3, t)).ThenDispose(relu3.call);

    static Tensor StemPacked(PackedConvolution[] stem, Tensor x) =>
        InferenceLayout.ChannelsLast(x).ThenDispose(stem[0].Relu).ThenDispose(stem[1].Relu)
            .ThenDispose(stem[2].Relu);

    /// <summary>The second half: the attention pool of <see cref="Stages"/>' output, [N, D].</summary>
    internal Tensor Pool(Tensor features) => attnpool.call(features);

    /// <summary>Whether the convolutions run packed (see <see cref="PackedConvolution"/>) for the last input size.
    /// </summary>
    internal bool Packed => packedStem is not null;

    /// <summary>The stem's convolutions in oneDNN's layout, packed on the first call for this input size together
    /// with every block's (see <see cref="PackedConvolution"/>); null where that is not available.</summary>
    PackedConvolution[]? PackedStem(long size)
    {
        lock (packLock)
        {
            if (packedSize == size) return packedStem;
            Unpack();
            packedSize = size;
            var stem = new[]
            {
                PackedConvolution.TryPack(conv1, size, ScalarType.Float32),
                PackedConvolution.TryPack(conv2, size / 2, ScalarType.Float32),
                PackedConvolution.TryPack(conv3, size / 2, ScalarType.Float32),
            };
            long blockSize = size / 4; // after the stride-2 conv1 and the stem's pool
            bool complete = stem.All(p => p is not null);
            foreach (var block in Blocks)
            {
                complete = complete && block.Pack(blockSize, blockType);
                blockSize /= block.Stride;
            }
            if (complete) packedStem = stem!;
            else
            {
                foreach (var part in stem) part?.Dispose();
                Unpack();
                packedSize = size; // do not try again for this size
            }
            return packedStem;
        }
    }

    void Unpack()
    {
        lock (packLock)
        {
            foreach (var part in packedStem ?? []) part.Dispose();
            packedStem = null;
            packedSize = -1;
            foreach (var block in Blocks) block.Unpack();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Unpack();
        base.Dispose(disposing);
    }
}
