using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>QKV attention pooling of the last ResNet feature map: the mean token is the only query.</summary>
public sealed class AttentionPool2d : nn.Module<Tensor, Tensor>
{
    readonly Parameter positional_embedding;
    readonly Linear k_proj;
    readonly Linear q_proj;
    readonly Linear v_proj;
    readonly Linear c_proj;
    readonly int num_heads;

    public AttentionPool2d(int spacialDim, int embedDim, int numHeads, int outputDim) : base(nameof(AttentionPool2d))
    {
        positional_embedding = nn.Parameter(torch.randn(spacialDim * spacialDim + 1, embedDim) / Math.Sqrt(embedDim));
        k_proj = nn.Linear(embedDim, embedDim);
        q_proj = nn.Linear(embedDim, embedDim);
        v_proj = nn.Linear(embedDim, embedDim);
        c_proj = nn.Linear(embedDim, outputDim);
        num_heads = numHeads;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var (n, c) = (x.shape[0], x.shape[1]);
        x = x.flatten(2).transpose(1, 2);                          // NCHW -> N(HW)C
        x = torch.cat([x.mean([1], keepdim: true), x], 1);          // N(HW+1)C, mean token first
        x = x + positional_embedding;
        long d = c / num_heads;
        // [N, L, C] -> [N, heads, L, C/heads]
        Tensor Heads(Tensor t) => t.view(n, t.shape[1], num_heads, d).transpose(1, 2);
        var q = Heads(q_proj.call(x[.., ..1]));
        var pooled = nn.functional.scaled_dot_product_attention(q, Heads(k_proj.call(x)), Heads(v_proj.call(x)));
        return scope.MoveToOuter(c_proj.call(pooled.reshape(n, c)));    // [N, heads, 1, d] -> [N, C] -> [N, D]
    }
}
