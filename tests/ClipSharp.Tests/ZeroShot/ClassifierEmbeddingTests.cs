using ClipSharp.Loading;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.ZeroShot;
using static TorchSharp.torch;

namespace ClipSharp.Tests.ZeroShot;

/// <summary>The classifier encodes every class's prompts in one call of the text tower: each class gets the
/// embedding it gets on its own (the CLIP paper's ensembling: unit prompts averaged, then made unit).</summary>
public class ClassifierEmbeddingTests
{
    [Fact]
    public void All_classes_at_once_give_each_class_its_own_ensembled_embedding()
    {
        using var model = ClipModel.Load(Reference.Model("tiny-rn.safetensors"));
        var tokenizer = ClipTokenizer.Load(Reference.Vocab);
        var prompts = PromptSet.Create(["no glasses", "glasses", "sunglasses on a beach"],
            ["a photo of {}.", "a blurry photo of a person with {}", "{}"]);
        using var classifier = ZeroShotClassifier.Create(model, prompts, tokenizer);
        for (int c = 0; c < prompts.Classes.Count; c++)
        {
            using var alone = ZeroShotClassifier.TextEmbedding(model, prompts.TextsOf(prompts.Classes[c]), tokenizer);
            TensorAssert.Close(alone, classifier.ClassEmbeddings[c], 1e-5, what: $"class '{prompts.Classes[c]}'");
        }
        using var norms = classifier.ClassEmbeddings.norm(1);
        TensorAssert.Close(ones(3), norms, 1e-6, what: "unit class embeddings");
    }
}
