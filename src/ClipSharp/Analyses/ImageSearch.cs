using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.ZeroShot;
using static TorchSharp.torch;

namespace ClipSharp.Analyses;

/// <summary>Retrieval over a set of images: rank them by cosine similarity to a query's features (a text through
/// the text tower, or another image), highest first; equal cosines keep the images' order.</summary>
public sealed class ImageSearch : IDisposable
{
    readonly Tensor unit; // [images, D], unit rows, fp32

    public IReadOnlyList<string> Files { get; }

    /// <param name="imageFeatures">[images, D] in the order of <paramref name="files"/>.</param>
    public ImageSearch(IReadOnlyList<string> files, Tensor imageFeatures)
    {
        if (imageFeatures.dim() != 2 || imageFeatures.shape[0] != files.Count)
            throw new ArgumentException(
                $"Features [{string.Join(", ", imageFeatures.shape)}] for {files.Count} images");
        Files = files;
        using var asFloat = imageFeatures.to_type(ScalarType.Float32);
        unit = asFloat / asFloat.norm(-1, keepdim: true);
    }

    /// <summary>The text features of a query: each template filled with it, encoded, normalised, averaged and
    /// normalised again (as a zero-shot class is made from its prompts). Templates default to the query
    /// itself.</summary>
    public static Tensor TextQuery(ClipModel model, string query, IReadOnlyList<string>? templates = null,
        ClipTokenizer? tokenizer = null)
    {
        var texts = templates is { Count: > 0 } ? templates.Select(t => t.Replace("{}", query)).ToList() : [query];
        var embedding = ZeroShotClassifier.TextEmbedding(model, texts, tokenizer);
        using var finite = isfinite(embedding).all();
        if (finite.item<bool>()) return embedding;
        embedding.Dispose();
        throw new AnalysisException($"Query \"{query}\": its text features are NaN/Inf (the weights of " +
            $"'{model.SourcePath ?? "(in memory)"}' overflow float32)");
    }

    /// <summary>The cosine of every image to the query features [D].</summary>
    public float[] Cosines(Tensor query)
    {
        using var scope = NewDisposeScope();
        var q = query.to_type(ScalarType.Float32).flatten();
        if (q.shape[0] != unit.shape[1])
            throw new ArgumentException($"The query has {q.shape[0]} features; the images have {unit.shape[1]}");
        return unit.matmul(q / q.norm()).data<float>().ToArray();
    }

    /// <summary>The <paramref name="top"/> images most similar to the query features [D], highest cosine
    /// first.</summary>
    public IReadOnlyList<SearchHit> Search(Tensor query, int top)
    {
        if (top < 1) throw new ArgumentException($"--top must be at least 1; got {top}");
        var cosines = Cosines(query);
        return [.. Enumerable.Range(0, Files.Count).OrderByDescending(i => cosines[i]).ThenBy(i => i).Take(top)
            .Select(i => new SearchHit(Files[i], cosines[i]))];
    }

    public void Dispose() => unit.Dispose();
}

/// <summary>One search result: the image file and its cosine similarity to the query.</summary>
public sealed record SearchHit(string File, float Cosine);
