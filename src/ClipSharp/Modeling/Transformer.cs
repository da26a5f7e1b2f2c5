using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>A stack of residual attention blocks (<c>resblocks.N</c>), causal for text, unmasked for ViT images.
/// </summary>
public sealed class Transformer : nn.Module<Tensor, Tensor>
{
    readonly ModuleList<ResidualAttentionBlock> resblocks;

    public Transformer(int width, int layers, int heads, bool causal, Device? device = null)
        : base(nameof(Transformer))
    {
        resblocks = nn.ModuleList(Enumerable.Range(0, layers)
            .Select(_ => new ResidualAttentionBlock(width, heads, causal, device)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope(); // frees each block's output once the next has used it
        foreach (var block in resblocks) x = block.call(x);
        return scope.MoveToOuter(x);
    }
}
