using ClipSharp.Loading;
using ClipSharp.Modeling;
using ClipSharp.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.ZeroShot;

/// <summary>
/// A classifier made from class names alone: each class is the normalised text embedding of its prompts (several
/// templates are averaged after normalisation and renormalised — the CLIP paper's prompt ensembling); an image's
/// class probabilities are softmax(logit scale · cosine).
/// </summary>
public sealed class ZeroShotClassifier : IDisposable
{
    public PromptSet Prompts { get; }
    public double LogitScale { get; }
    /// <summary>[classes, D], unit rows.</summary>
    public Tensor ClassEmbeddings { get; }

    ZeroShotClassifier(PromptSet prompts, double logitScale, Tensor classEmbeddings) =>
        (Prompts, LogitScale, ClassEmbeddings) = (prompts, logitScale, classEmbeddings);

    /// <summary>The classifier of a prompt set, checked first (<see cref="PromptSet.Check"/>: a set built with its
    /// constructor has not been).</summary>
    public static ZeroShotClassifier Create(ClipModel model, PromptSet prompts, ClipTokenizer? tokenizer = null)
    {
        prompts.Check();
        using var scope = NewDisposeScope();
        // Every class's prompts in one call: each call of the text tower reads all its weights (151 MB for RN50),
        // so two classes encoded apart took twice as long as together.
        var texts = prompts.Classes.Select(prompts.TextsOf).ToList();
        var features = UnitFeatures(model, [.. texts.SelectMany(t => t)], tokenizer);
        var rows = new List<Tensor>();
        int start = 0;
        foreach (var classTexts in texts)
        {
            rows.Add(Ensemble(features[start..(start + classTexts.Count)]).unsqueeze(0));
            start += classTexts.Count;
        }
        var embeddings = cat(rows, 0);
        if (!double.IsFinite(model.LogitScale))
            throw new ClipSharpException($"Checkpoint '{model.SourcePath ?? "(in memory)"}': the logit scale is " +
                $"{model.LogitScale}: its weights are corrupt");
        int bad = FirstNonFiniteRow(embeddings);
        if (bad >= 0)
            throw new ClipSharpException(
                $"Class '{prompts.Classes[bad]}': its text features are NaN/Inf (the weights of " +
                $"'{model.SourcePath ?? "(in memory)"}' overflow float32)");
        return new ZeroShotClassifier(prompts, model.LogitScale, scope.MoveToOuter(embeddings));
    }

    /// <summary>Cosine similarity and probabilities of image features [n, D] against the classes.</summary>
    public SimilarityMatrix Similarity(Tensor imageFeatures, IReadOnlyList<string> imageLabels)
    {
        using var scope = NewDisposeScope();
        var cosine = Normalize(imageFeatures.to_type(ScalarType.Float32)).matmul(ClassEmbeddings.t()).contiguous();
        // A NaN here would print as a probability and rank as a prediction: refuse it, naming the image.
        int bad = FirstNonFiniteRow(cosine);
        if (bad >= 0)
            throw new ClipSharpException($"Image '{(bad < imageLabels.Count ? imageLabels[bad] : $"#{bad}")}': its " +
                "features are NaN/Inf (the input or the model's weights overflow float32)");
        var values = cosine.data<float>().ToArray();
        var m = new float[cosine.shape[0], cosine.shape[1]];
        Buffer.BlockCopy(values, 0, m, 0, values.Length * sizeof(float));
        return new SimilarityMatrix(imageLabels, Prompts.Classes, m, LogitScale);
    }

    /// <summary>The unit embedding [D] of one class (or query) from its prompts: each encoded and normalised, then
    /// averaged and normalised again (the prompt ensembling of the CLIP paper).</summary>
    public static Tensor TextEmbedding(ClipModel model, IReadOnlyList<string> prompts, ClipTokenizer? tokenizer = null)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(Ensemble(UnitFeatures(model, prompts, tokenizer)));
    }

    /// <summary>The unit text features [n, D] of <paramref name="prompts"/>, all in one call of the text tower.
    /// </summary>
    static Tensor UnitFeatures(ClipModel model, IReadOnlyList<string> prompts, ClipTokenizer? tokenizer) =>
        Normalize(model.EncodeText((tokenizer ?? ClipTokenizer.Default).Tokenize(prompts, model.ContextLength)));

    /// <summary>The unit mean of unit prompt embeddings [n, D].</summary>
    static Tensor Ensemble(Tensor unitFeatures) => Normalize(unitFeatures.mean([0]));

    static Tensor Normalize(Tensor x) => x / x.norm(-1, keepdim: true);

    /// <summary>The first row of a [n, D] tensor holding NaN or ±Inf, or -1.</summary>
    static int FirstNonFiniteRow(Tensor x)
    {
        using var scope = NewDisposeScope();
        var rowFinite = isfinite(x).all(1);
        return rowFinite.all().item<bool>() ? -1 : (int)rowFinite.logical_not().nonzero()[0, 0].item<long>();
    }

    public void Dispose() => ClassEmbeddings.Dispose();
}
