using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>CLIP's ViT image tower: patchify, prepend the class token, pre-LN transformer, project the class token.
/// </summary>
public sealed class VisionTransformer : nn.Module<Tensor, Tensor>, IAssignableParameters
{
    readonly Conv2d conv1;
    Parameter class_embedding;
    Parameter positional_embedding;
    readonly LayerNorm ln_pre;
    readonly Transformer transformer;
    readonly LayerNorm ln_post;
    Parameter proj;

    public VisionTransformer(int inputResolution, int patchSize, int width, int layers, int heads, int outputDim,
        Device? device = null) : base(nameof(VisionTransformer))
    {
        conv1 = nn.Conv2d(3, width, patchSize, stride: patchSize, bias: false, device: device);
        double scale = 1 / Math.Sqrt(width);
        int grid = inputResolution / patchSize;
        class_embedding = nn.Parameter(torch.randn(width, device: device) * scale);
        positional_embedding = nn.Parameter(torch.randn(grid * grid + 1, width, device: device) * scale);
        ln_pre = nn.LayerNorm(width, device: device);
        transformer = new Transformer(width, layers, heads, causal: false, device);
        ln_post = nn.LayerNorm(width, device: device);
        proj = nn.Parameter(torch.randn(width, outputDim, device: device) * scale);
        RegisterComponents();
    }

    void IAssignableParameters.Assign(string name, Parameter value)
    {
        switch (name)
        {
            case nameof(class_embedding): class_embedding.Dispose(); class_embedding = value; break;
            case nameof(positional_embedding): positional_embedding.Dispose(); positional_embedding = value; break;
            case nameof(proj): proj.Dispose(); proj = value; break;
            default: throw new ArgumentException($"No parameter '{name}'", nameof(name));
        }
        ConditionallyRegisterParameter(name, value);
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
