using ClipSharp.Analyses;
using ClipSharp.Checkpoints;
using ClipSharp.Modeling;
using ClipSharp.Tests.Cli;
using ClipSharp.ZeroShot;
using static ClipSharp.Tests.Hardening.OutputTestFiles;
using static TorchSharp.torch;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Hardening;

/// <summary>Checkpoints whose values (not shapes) are hostile: NaN/Inf weights, an absurd logit scale, weights beyond
/// float16. Each is crafted at run time from the tiny ResNet and refused by name, by the library and by <c>clip</c>,
/// instead of turning every answer into NaN; features that still come out non-finite are refused where
/// probabilities are computed.</summary>
public class CheckpointValuesTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("clip-hostile-values-").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    /// <summary>The tiny ResNet with <paramref name="edit"/> applied, written to a new safetensors file.</summary>
    string Craft(string name, Action<Dictionary<string, Tensor>> edit)
    {
        string path = Path.Combine(dir, name);
        using var checkpoint = SafeTensors.Read(Reference.Model("tiny-rn.safetensors"));
        edit(checkpoint.Tensors);
        SafeTensors.Write(path, checkpoint.Tensors, checkpoint.Metadata);
        return path;
    }

    /// <summary>Sets the first value of the tensor <paramref name="key"/>.</summary>
    static Action<Dictionary<string, Tensor>> SetFirst(string key, double value) => tensors =>
    {
        using var first = tensors[key].view(-1)[0];
        first.fill_(value);
    };

    static CheckpointException Refused(string path)
    {
        var before = Sha256(path);
        var e = Assert.Throws<CheckpointException>(() => ClipModel.Load(path));
        Assert.StartsWith($"Checkpoint '{path}': ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(before, Sha256(path));
        return e;
    }

    [Theory]
    [InlineData("logit_scale", double.NaN)]
    [InlineData("logit_scale", double.PositiveInfinity)]
    [InlineData("logit_scale", double.NegativeInfinity)]
    [InlineData("visual.conv1.weight", double.NaN)]
    [InlineData("token_embedding.weight", double.PositiveInfinity)]
    [InlineData("text_projection", double.NegativeInfinity)]
    public void A_non_finite_weight_is_refused_naming_the_file_and_key(string key, double value)
    {
        string path = Craft("nonfinite.safetensors", SetFirst(key, value));
        var e = Refused(path);
        Assert.Contains($"'{key}' holds NaN/Inf", e.Message);
    }

    [Fact]
    public void A_checkpoint_of_nothing_but_NaN_is_refused_at_its_first_key()
    {
        string path = Craft("all-nan.safetensors", tensors =>
        {
            foreach (var t in tensors.Values) if (t.is_floating_point()) t.fill_(double.NaN);
        });
        var e = Refused(path);
        Assert.Matches("'[a-z_.0-9]+' holds NaN/Inf$", e.Message);
    }

    [Fact]
    public void A_float16_infinity_is_refused_too()
    {
        string path = Craft("fp16-inf.safetensors", tensors =>
        {
            var half = tensors["ln_final.bias"].to_type(ScalarType.Float16);
            using (var first = half.view(-1)[0]) first.fill_(double.PositiveInfinity);
            tensors["ln_final.bias"].Dispose();
            tensors["ln_final.bias"] = half;
        });
        Assert.Contains("'ln_final.bias' holds NaN/Inf", Refused(path).Message);
    }

    [Theory]
    [InlineData(1e30)]
    [InlineData(88.8)] // exp overflows float32
    [InlineData(7.0)]  // exp = 1097, just above the bound
    public void An_absurd_logit_scale_is_refused(double logitScale)
    {
        string path = Craft("big-logit.safetensors", SetFirst("logit_scale", logitScale));
        var e = Refused(path);
        Assert.Contains("'logit_scale' is", e.Message);
        Assert.Contains($"exceeds {ClipModel.MaxLogitScale}", e.Message);
    }

    [Fact]
    public void A_logit_scale_within_the_bound_loads_with_that_scale()
    {
        double logitScale = Math.Log(ClipModel.MaxLogitScale) - 0.01;
        string path = Craft("high-logit.safetensors", SetFirst("logit_scale", logitScale));
        using var model = ClipModel.Load(path);
        Assert.Equal(Math.Exp(logitScale), model.LogitScale, 1e-3);
    }

    [Fact]
    public void Classify_and_embed_refuse_a_NaN_logit_scale_in_one_line()
    {
        string model = Craft("nan-logit.safetensors", SetFirst("logit_scale", double.NaN));
        string image = Reference.File("images", "cat.jpg");
        string output = Path.Combine(dir, "out.safetensors");
        string[][] runs =
        [
            ["classify", "-m", model, image, "-c", "a", "-c", "b", "--vocab", Reference.Vocab],
            ["embed", "-m", model, "--image", image, "--text", "a cat", "-o", output, "--vocab", Reference.Vocab],
        ];
        string before = Sha256(model);
        foreach (var args in runs)
        {
            var run = CliRunner.Run(args);
            Assert.Equal(1, run.ExitCode);
            Assert.Equal($"error: Checkpoint '{model}': 'logit_scale' holds NaN/Inf", run.Error.Trim());
            Assert.DoesNotContain("NaN", run.Output);
        }
        Assert.False(File.Exists(output));
        Assert.Equal(before, Sha256(model));
    }

    [Theory]
    [InlineData(1e10)]
    [InlineData(-70000.0)]
    public void Convert_to_float16_refuses_a_weight_beyond_its_range(double weight)
    {
        string input = Craft("bigw.safetensors", SetFirst("ln_final.weight", weight));
        string output = Path.Combine(dir, "half.safetensors");
        string before = Sha256(input);
        var run = CliRunner.Run("convert", input, output, "--dtype", "float16");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"error: Checkpoint '{input}': 'ln_final.weight' holds {weight:G6}, beyond the range of " +
            "float16", run.Error.Trim());
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.False(File.Exists(output));
        Assert.Equal(before, Sha256(input));
    }

    [Fact]
    public void Convert_to_float16_keeps_a_large_weight_float16_can_hold()
    {
        string input = Craft("largew.safetensors", SetFirst("ln_final.weight", 60000));
        string output = Path.Combine(dir, "half.safetensors");
        var run = CliRunner.Run("convert", input, output, "--dtype", "float16");
        Assert.True(run.ExitCode == 0, run.Error);
        using var half = SafeTensors.Read(output);
        var weight = half.Tensors["ln_final.weight"];
        Assert.Equal(ScalarType.Float16, weight.dtype);
        using var first = weight.view(-1)[0].to_type(ScalarType.Float32);
        Assert.Equal(60000f, first.item<float>());
    }

    [Fact]
    public void Zero_shot_similarity_refuses_non_finite_image_features_naming_the_image()
    {
        using var model = ClipModel.Load(Reference.Model("tiny-rn.safetensors"));
        using var classifier = ZeroShotClassifier.Create(model, new PromptSet(["a", "b"]), Reference.Tokenizer);
        using var features = randn(3, model.Config.EmbedDim);
        using (var row = features[1]) row.fill_(float.PositiveInfinity); // e.g. an input that overflowed
        var e = Assert.Throws<ClipSharpException>(() => classifier.Similarity(features, ["x.jpg", "y.jpg", "z.jpg"]));
        Assert.StartsWith("Image 'y.jpg': ", e.Message);
        Assert.Contains("NaN/Inf", e.Message);
    }

    [Fact]
    public void A_linear_probe_refuses_NaN_features()
    {
        using var features = randn(4, 8);
        using (var value = features[2, 3]) value.fill_(double.NaN);
        var e = Assert.Throws<ClipSharpException>(() => LinearProbe.Fit(features, [0, 1, 0, 1], 2));
        Assert.Contains("NaN/Inf", e.Message);
    }
}
