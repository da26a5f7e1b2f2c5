using static TorchSharp.torch;

namespace ClipSharp.Analyses;

/// <summary>A principal-component projection of embeddings (rows), for 2-D maps: centred rows projected on the top
/// right
/// singular vectors (torch.linalg.svd). Each axis is signed so its largest loading is positive, so the same data
/// always gives the same picture.</summary>
public sealed record Pca(double[,] Points, double[] ExplainedVariance)
{
    public static Pca Of(Tensor rows, int components = 2)
    {
        if (rows.dim() != 2 || rows.shape[0] < 2)
            throw new ArgumentException(
                $"PCA needs at least two rows of features; got [{string.Join(", ", rows.shape)}]");
        components = (int)Math.Min(components, Math.Min(rows.shape[0], rows.shape[1]));
        using var scope = NewDisposeScope();
        var x = rows.to_type(ScalarType.Float64);
        var centred = x - x.mean([0], keepdim: true);
        var (_, s, vh) = linalg.svd(centred, fullMatrices: false);
        var axes = vh.narrow(0, 0, components);
        var signs = axes.gather(1, axes.abs().argmax(1, keepdim: true)).sign();
        var projected = centred.matmul((axes * signs).t()).contiguous();
        var values = projected.data<double>().ToArray();
        var points = new double[rows.shape[0], components];
        Buffer.BlockCopy(values, 0, points, 0, values.Length * sizeof(double));
        var variance = s.square();
        var share = (variance / variance.sum()).narrow(0, 0, components).data<double>().ToArray();
        return new Pca(points, share);
    }
}
