using ClipSharp.Modeling;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Analyses;

/// <summary>An independent float64 path from the layer4 activation A [C, G, G] of one image to its zero-shot logits:
/// the official attention pool in the textbook order (every token projected to keys and values, the mean token as the
/// only query), L2 normalisation, exp(logit_scale) · dot with each class embedding.</summary>
sealed class GradCamReference : IDisposable
{
    readonly Dictionary<string, Tensor> pool;
    readonly Tensor classes; // [K, D] float64
    readonly double scale;
    readonly int heads;

    public GradCamReference(ClipModel model, Tensor classEmbeddings, double logitScale)
    {
        pool = model.named_parameters().Where(p => p.name.StartsWith("visual.attnpool.", StringComparison.Ordinal))
            .ToDictionary(p => p.name["visual.attnpool.".Length..],
                p => p.parameter.detach().to_type(ScalarType.Float64));
        classes = classEmbeddings.detach().to_type(ScalarType.Float64);
        scale = logitScale;
        heads = model.Config.VisionHeads;
    }

    /// <summary>Logits [K] of one image's activation [C, G, G] (any dtype; computed in float64).</summary>
    public Tensor Logits(Tensor activation)
    {
        using var scope = NewDisposeScope();
        var a = activation.to_type(ScalarType.Float64);
        long c = a.shape[0], d = c / heads;
        var cells = a.flatten(1).t();                                            // [G², C], row-major cells
        var tokens = cat([cells.mean([0], keepdim: true), cells], 0) + pool["positional_embedding"]; // [L, C]
        Tensor Project(string name, Tensor x) => x.matmul(pool[$"{name}.weight"].t()) + pool[$"{name}.bias"];
        var q = Project("q_proj", tokens[..1]).view(heads, d);                  // [H, d]
        var k = Project("k_proj", tokens).view(-1, heads, d);                   // [L, H, d]
        var v = Project("v_proj", tokens).view(-1, heads, d);
        var attention = (k * q.unsqueeze(0)).sum(-1).div(Math.Sqrt(d)).softmax(0); // [L, H]
        var mixed = (attention.unsqueeze(-1) * v).sum([0L]).reshape(c);           // [C]
        var features = Project("c_proj", mixed);                                  // [D]
        var logits = scale * classes.matmul(features / features.norm());
        return scope.MoveToOuter(logits);
    }

    public void Dispose()
    {
        foreach (var t in pool.Values) t.Dispose();
        classes.Dispose();
    }
}
