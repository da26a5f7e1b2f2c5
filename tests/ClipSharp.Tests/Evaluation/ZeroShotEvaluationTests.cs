using System.Globalization;
using ClipSharp.Evaluation;
using ClipSharp.Modeling;
using ClipSharp.Tests.Cli;
using ClipSharp.ZeroShot;
using ClipSharp.Imaging;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Evaluation;

public class ZeroShotEvaluationTests : IDisposable
{
    static readonly string[] Classes = ["no glasses", "glasses"];
    readonly string dir = Directory.CreateTempSubdirectory("clip-eval-").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    static List<string[]> ExpectedRows() =>
        File.ReadAllLines(Reference.Model("tiny-rn.zero_shot_expected.csv")).Skip(1).Select(l => l.Split(',')).ToList();

    [Fact]
    public void Tiny_rn_on_the_reference_images_reproduces_the_official_zero_shot_result()
    {
        using var model = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        using var classifier = ZeroShotClassifier.Create(model, PromptSet.Create(Classes), Reference.Tokenizer);
        var set = LabeledImageSet.Load(Reference.Images, Classes);
        var result = new Evaluator(model).Evaluate(set, classifier);

        var expected = ExpectedRows();
        Assert.Equal(expected.Count, result.Predictions.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var p = result.Predictions[i];
            Assert.Equal(expected[i][0], p.File);
            Assert.Equal(int.Parse(expected[i][1]), p.Label);
            Assert.Equal(int.Parse(expected[i][2]), p.Prediction);
            for (int c = 0; c < Classes.Length; c++)
            {
                double want = double.Parse(expected[i][3 + c], CultureInfo.InvariantCulture);
                Assert.True(Math.Abs(want - p.Probabilities[c]) <= 1e-4,
                    $"{p.File} p_{Classes[c]}: {p.Probabilities[c]} vs {expected[i][3 + c]}");
            }
        }
        Assert.Equal("0.3333", result.Accuracy.ToString("F4", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Clip_evaluate_prints_the_accuracy_and_writes_the_per_image_csv()
    {
        string csv = Path.Combine(dir, "results.csv");
        var run = CliRunner.Run("evaluate", "--model", Reference.Model("tiny-rn.pt"), "--data", Reference.Images,
            "--vocab", Reference.Vocab, "--output", csv, "--cache", Path.Combine(dir, "cache"));
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("\nAccuracy: 0.3333\n", "\n" + run.Output);
        var rows = File.ReadAllLines(csv);
        Assert.Equal("file,label,prediction,p_no glasses,p_glasses", rows[0]);
        Assert.Equal(ExpectedRows().Select(r => string.Join(',', r[..3])),
            rows.Skip(1).Select(r => string.Join(',', r.Split(',')[..3])));
    }

    [Fact]
    public void A_second_evaluation_encodes_nothing_and_a_changed_image_or_model_misses_the_cache()
    {
        // A private copy of the labelled images, so one can be changed.
        string data = Path.Combine(dir, "images");
        Directory.CreateDirectory(data);
        foreach (var f in Directory.GetFiles(Reference.Images)) File.Copy(f, Path.Combine(data, Path.GetFileName(f)));
        string cacheDir = Path.Combine(dir, "cache");
        var set = LabeledImageSet.Load(data, Classes);

        using var model = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        using var classifier = ZeroShotClassifier.Create(model, PromptSet.Create(Classes), Reference.Tokenizer);
        EvaluationResult first, second;
        using (var cache = EmbeddingCache.For(model, cacheDir))
            first = new Evaluator(model, cache).Evaluate(set, classifier);
        Assert.Equal(27, first.EncodedImages);

        using (var cache = EmbeddingCache.For(model, cacheDir))
        {
            var evaluator = new Evaluator(model, cache);
            second = evaluator.Evaluate(set, classifier);
            Assert.Equal(0, evaluator.EncodedImages);
        }
        Assert.Equal(first.Predictions.Select(p => (p.Prediction, p.Probabilities[0], p.Probabilities[1])),
            second.Predictions.Select(p => (p.Prediction, p.Probabilities[0], p.Probabilities[1])));

        File.Copy(Path.Combine(Reference.Images, "cat.jpg"), Path.Combine(data, "face-127.png"), overwrite: true);
        using (var cache = EmbeddingCache.For(model, cacheDir))
        {
            var evaluator = new Evaluator(model, cache);
            evaluator.Evaluate(set, classifier);
            Assert.Equal(1, evaluator.EncodedImages);
        }

        using var other = ClipModel.Load(Reference.Model("tiny-rn.state_dict.pt"));
        using (var cache = EmbeddingCache.For(other, cacheDir))
        {
            var evaluator = new Evaluator(other, cache);
            evaluator.Evaluate(set, classifier);
            Assert.Equal(27, evaluator.EncodedImages);
        }
    }

    [Fact]
    public void A_damaged_image_stops_the_evaluation_naming_it_and_a_bf16_model_has_a_cache_of_its_own()
    {
        string data = Path.Combine(dir, "damaged");
        Directory.CreateDirectory(data);
        foreach (var f in Directory.GetFiles(Reference.Images)) File.Copy(f, Path.Combine(data, Path.GetFileName(f)));
        // the 6th of 27: decoded while batch 1 encodes
        File.WriteAllText(Path.Combine(data, "face-1400.png"), "not a png");
        var set = LabeledImageSet.Load(data, Classes);
        using var model = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        using var classifier = ZeroShotClassifier.Create(model, PromptSet.Create(Classes), Reference.Tokenizer);
        var e = Assert.Throws<ImageException>(() => new Evaluator(model, batchSize: 4).Evaluate(set, classifier));
        Assert.Contains("face-1400.png", e.Message);
        Assert.Contains("not a supported image", e.Message);

        string cacheDir = Path.Combine(dir, "dtype-cache");
        using var bf16 = ClipModel.Load(
            Reference.Model("tiny-rn.pt"), imageDType: TorchSharp.torch.ScalarType.BFloat16);
        using (var fp32Cache = EmbeddingCache.For(model, cacheDir))
        using (var bf16Cache = EmbeddingCache.For(bf16, cacheDir))
            Assert.NotEqual(fp32Cache.FilePath, bf16Cache.FilePath);
    }

    [Fact]
    public void Prompt_ensembling_averages_normalised_prompt_embeddings()
    {
        using var model = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        string[] templates = ["a photo of {}.", "{}"];
        ZeroShotClassifier Classifier(string[] chosen) =>
            ZeroShotClassifier.Create(model, PromptSet.Create(Classes, chosen), Reference.Tokenizer);
        using var ensemble = Classifier(templates);
        using var single0 = Classifier([templates[0]]);
        using var single1 = Classifier([templates[1]]);
        using var mean = single0.ClassEmbeddings + single1.ClassEmbeddings;
        using var expected = mean / mean.norm(-1, keepdim: true);
        TensorAssert.Close(expected, ensemble.ClassEmbeddings, 1e-6, "ensembled class embeddings");
        using var norms = ensemble.ClassEmbeddings.norm(-1);
        Assert.True(norms.sub(1).abs().max().item<float>() < 1e-5);
    }
}
