using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>The token embedding table (<c>token_embedding.weight</c> [vocab, width]): one row per token id, as
/// nn.Embedding. Not TorchSharp's nn.Embedding, which is built natively on the CPU and filled with random numbers
/// whatever the device asked for (100 MB for CLIP, overwritten by any checkpoint at once).</summary>
internal sealed class TokenEmbedding : nn.Module<Tensor, Tensor>, IAssignableParameters
{
    Parameter weight;

    public TokenEmbedding(int count, int width, Device? device = null) : base(nameof(TokenEmbedding))
    {
        weight = nn.Parameter(torch.randn(count, width, device: device)); // N(0, 1), as nn.Embedding
        RegisterComponents();
    }

    void IAssignableParameters.Assign(string name, Parameter value)
    {
        if (name != nameof(weight)) throw new ArgumentException($"No parameter '{name}'", nameof(name));
        weight.Dispose();
        weight = value;
        ConditionallyRegisterParameter(name, value);
    }

    /// <summary>Ids [..] → their rows [.., width].</summary>
    public override Tensor forward(Tensor ids)
    {
        using var flat = ids.reshape(-1);
        using var rows = weight.index_select(0, flat);
        return rows.view([.. ids.shape, weight.shape[1]]);
    }
}
