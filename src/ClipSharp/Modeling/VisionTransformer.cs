using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>CLIP's ViT image tower: patchify, prepend the class token, pre-LN transformer, project the class token.</summary>
public sealed class VisionTransformer : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1;
    readonly Parameter class_embedding;
    readonly Parameter positional_embedding;
    readonly LayerNorm ln_pre;
    readonly Transformer transformer;
    readonly LayerNorm ln_post;
    readonly Parameter proj;

    public VisionTransformer(int inputResolution, int patchSize, int width, int layers, int heads, int outputDim) : base(nameof(VisionTransformer))
    {
        conv1 = nn.Conv2d(3, width, patchSize, stride: patchSize, bias: false);
        double scale = 1 / Math.Sqrt(width);
        class_embedding = nn.Parameter(torch.randn(width) * scale);
        positional_embedding = nn.Parameter(torch.randn((inputResolution / patchSize) * (inputResolution / patchSize) + 1, width) * scale);
        ln_pre = nn.LayerNorm(width);
        transformer = new Transformer(width, layers, heads, causal: false);
        ln_post = nn.LayerNorm(width);
        proj = nn.Parameter(torch.randn(width, outputDim) * scale);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        x = conv1.call(x);                                              // [N, W, g, g]
        x = x.flatten(2).transpose(1, 2);                               // [N, g², W]
        var cls = class_embedding.expand(x.shape[0], 1, x.shape[2]);
        x = torch.cat([cls, x], 1) + positional_embedding;              // [N, g²+1, W]
        x = transformer.call(ln_pre.call(x));
        return scope.MoveToOuter(ln_post.call(x[.., 0, ..]).matmul(proj));   // class token -> [N, D]
    }
}
