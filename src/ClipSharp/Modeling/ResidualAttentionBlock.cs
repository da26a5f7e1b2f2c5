using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>Pre-LN transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)) with a 4× QuickGELU MLP.</summary>
public sealed class ResidualAttentionBlock : nn.Module<Tensor, Tensor>
{
    readonly MultiheadAttention attn;
    readonly LayerNorm ln_1;
    readonly Sequential mlp;
    readonly LayerNorm ln_2;

    public ResidualAttentionBlock(int width, int heads, bool causal, Device? device = null)
        : base(nameof(ResidualAttentionBlock))
    {
        attn = new MultiheadAttention(width, heads, causal, device);
        ln_1 = nn.LayerNorm(width, device: device);
        mlp = nn.Sequential(
            ("c_fc", nn.Linear(width, width * 4, device: device)),
            ("gelu", new QuickGELU()),
            ("c_proj", nn.Linear(width * 4, width, device: device)));
        ln_2 = nn.LayerNorm(width, device: device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        x = x + attn.call(ln_1.call(x));
        x = x + mlp.call(ln_2.call(x));
        return scope.MoveToOuter(x);
    }
}
