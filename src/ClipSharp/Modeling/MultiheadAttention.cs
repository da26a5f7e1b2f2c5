using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>Self-attention with PyTorch nn.MultiheadAttention's parameter layout (packed q/k/v <c>in_proj_*</c>,
/// <c>out_proj</c>), batch first: [N, L, W] → [N, L, W].</summary>
public sealed class MultiheadAttention : nn.Module<Tensor, Tensor>, IAssignableParameters
{
    Parameter in_proj_weight;
    Parameter in_proj_bias;
    readonly Linear out_proj;
    readonly int heads;
    readonly bool causal;

    public MultiheadAttention(int width, int heads, bool causal, Device? device = null)
        : base(nameof(MultiheadAttention))
    {
        // Initialised as PyTorch's nn.MultiheadAttention does (Xavier uniform): checkpoints overwrite it, but a model
        // built with random weights (bench, tests) must not compute on uninitialised memory.
        in_proj_weight = nn.Parameter(nn.init.xavier_uniform_(torch.empty(3 * width, width, device: device)));
        in_proj_bias = nn.Parameter(torch.zeros(3 * width, device: device));
        out_proj = nn.Linear(width, width, device: device);
        this.heads = heads;
        this.causal = causal;
        RegisterComponents();
    }

    void IAssignableParameters.Assign(string name, Parameter value)
    {
        switch (name)
        {
            case nameof(in_proj_weight): in_proj_weight.Dispose(); in_proj_weight = value; break;
            case nameof(in_proj_bias): in_proj_bias.Dispose(); in_proj_bias = value; break;
            default: throw new ArgumentException($"No parameter '{name}'", nameof(name));
        }
        ConditionallyRegisterParameter(name, value);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var (n, l, w) = (x.shape[0], x.shape[1], x.shape[2]);
        // [N, L, 3W] -> 3 × [N, heads, L, W/heads]
        var qkv = nn.functional.linear(x, in_proj_weight, in_proj_bias)
            .view(n, l, 3, heads, w / heads).permute(2, 0, 3, 1, 4);
        // The causal mask (−inf above the diagonal) of the text tower; is_causal needs no stored mask.
        var attended = nn.functional.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], is_casual: causal);
        return scope.MoveToOuter(out_proj.call(attended.transpose(1, 2).reshape(n, l, w)));
    }
}
