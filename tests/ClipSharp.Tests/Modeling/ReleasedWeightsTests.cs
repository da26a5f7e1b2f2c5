using ClipSharp.Imaging;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.Loading;
using ClipSharp.Settings;

namespace ClipSharp.Tests.Modeling;

/// <summary>The published RN50 result, run only where the released weights are present (they cannot be fetched in
/// CI).</summary>
public class ReleasedWeightsTests
{
    [SkippableFact]
    public void RN50_on_cat_jpg_gives_the_published_logits()
    {
        string weights = Path.Combine(ClipSettings.Current.WeightsDirectory, "RN50.pt");
        Skip.IfNot(File.Exists(weights), $"{weights} is absent: `clip download RN50` to run this test");

        using var model = ClipModel.Load(weights);
        using var image = new ClipPreprocessor(224).Preprocess(Path.Combine(Reference.Images, "cat.jpg")).unsqueeze(0);
        using var tokens = ClipTokenizer.Tokenize(["a diagram", "a dog", "a cat"], tokenizer: Reference.Tokenizer);
        using var logits = model.Logits(model.EncodeImage(image), model.EncodeText(tokens));
        using var probabilities = logits.softmax(-1);
        float[] expectedLogits = [12.2088346f, 14.9655876f, 21.0058422f];
        float[] expectedProbabilities = [0.000151f, 0.002375f, 0.997474f];
        for (int i = 0; i < 3; i++)
        {
            Assert.InRange(logits[0, i].item<float>(), expectedLogits[i] - 0.1f, expectedLogits[i] + 0.1f);
            Assert.InRange(probabilities[0, i].item<float>(),
                expectedProbabilities[i] - 5e-3f, expectedProbabilities[i] + 5e-3f);
        }
    }
}
