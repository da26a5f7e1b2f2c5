using System.Text.Json;
using ClipSharp.Checkpoints;
using ClipSharp.Tests.Text;

namespace ClipSharp.Tests.Cli;

public class CliCommandTests : TempFolderTest
{
    [Theory]
    [InlineData("tiny-rn.pt")]
    [InlineData("tiny-vit.pt")]
    public void Embed_writes_the_official_features_and_logits(string model)
    {
        string name = model[..model.IndexOf('.')];
        using var expected = Reference.Expected(name);
        var images = JsonSerializer.Deserialize<string[]>(expected.Metadata["images"])!;
        var texts = JsonSerializer.Deserialize<string[]>(expected.Metadata["texts"])!;
        string output = Path.Combine(Dir, "embed.safetensors");
        string[] args = ["embed", "--model", Reference.Model(model), "--output", output, "--vocab", Reference.Vocab,
            .. images.SelectMany(i => new[] { "--image", Path.Combine(Reference.Images, i) }),
            .. texts.SelectMany(t => new[] { "--text", t })];
        var result = CliRunner.Run(args);
        Assert.True(result.ExitCode == 0, result.Error);

        using var written = SafeTensors.Read(output);
        foreach (var key in new[] { "image_features", "text_features", "logits_per_image" })
        {
            Assert.Equal(TorchSharp.torch.ScalarType.Float32, written.Tensors[key].dtype);
            TensorAssert.Close(expected.Tensors[key], written.Tensors[key], what: $"{model} {key}");
        }
    }

    [Fact]
    public void Convert_writes_safetensors_that_load_bit_identically()
    {
        string output = Path.Combine(Dir, "tiny.safetensors");
        var result = CliRunner.Run("convert", Reference.Model("tiny-vit.pt"), output);
        Assert.True(result.ExitCode == 0, result.Error);
        using var original = CheckpointReader.Read(Reference.Model("tiny-vit.pt"));
        using var converted = CheckpointReader.Read(output);
        Assert.Contains("\"vision_patch_size\":8", converted.Metadata["config"]);
        foreach (var (k, t) in original.Tensors)
        {
            using var asFloat = t.is_floating_point() ? t.to_type(TorchSharp.torch.ScalarType.Float32) : t.alias();
            TensorAssert.Identical(asFloat, converted.Tensors[k], k);
        }
    }

    [Fact]
    public void Convert_of_a_broken_file_fails_with_its_name_and_writes_nothing()
    {
        string broken = Path.Combine(Dir, "broken.pt");
        File.WriteAllBytes(broken, File.ReadAllBytes(Reference.Model("tiny-rn.pt"))[..5000]);
        string output = Path.Combine(Dir, "out.safetensors");
        var result = CliRunner.Run("convert", broken, output);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: Checkpoint '{broken}' is truncated", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(Dir, "*.partial"));
    }

    [Fact]
    public void Tokenize_prints_official_ids_and_warns_about_long_lines_by_number()
    {
        var cases = TokenizerCase.All.Take(60).Concat(TokenizerCase.All.Where(c => c.Ids.Length > 77).Take(1)).ToList();
        string input = Path.Combine(Dir, "prompts.jsonl");
        File.WriteAllLines(input, cases.Select(c => JsonSerializer.Serialize(c.Text)));
        var result = CliRunner.Run("tokenize", "--input", input, "--vocab", Reference.Vocab);
        Assert.Equal(0, result.ExitCode);
        var lines = result.Output.TrimEnd('\n').Split('\n');
        Assert.Equal(cases.Select(c => string.Join(' ', c.Ids)), lines);
        Assert.Contains($"warning: {input}:{cases.Count}: Text \"", result.Error);

        var truncated = CliRunner.Run("tokenize", "--input", input, "--vocab", Reference.Vocab, "--truncate");
        var last = truncated.Output.TrimEnd('\n').Split('\n')[^1].Split(' ').Select(int.Parse).ToArray();
        Assert.Equal(77, last.Length);
        Assert.Equal(cases[^1].Ids[..76], last[..76]);
        Assert.Equal(49407, last[^1]);
        Assert.Equal("", truncated.Error);
    }

    [Fact]
    public void Tokenize_names_the_line_that_is_not_json()
    {
        string input = Path.Combine(Dir, "bad.jsonl");
        File.WriteAllLines(input, ["\"fine\"", "not json"]);
        var result = CliRunner.Run("tokenize", "--input", input, "--vocab", Reference.Vocab);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{input}:2: not a JSON string", result.Error);
    }

    [Fact]
    public void Preprocess_writes_one_tensor_per_image_and_reports_every_bad_file()
    {
        string bad1 = Path.Combine(Dir, "empty.png"), bad2 = Path.Combine(Dir, "text.jpg");
        File.WriteAllBytes(bad1, []);
        File.WriteAllText(bad2, "not an image");
        string output = Path.Combine(Dir, "pre.safetensors");
        var result = CliRunner.Run("preprocess", Path.Combine(Reference.Images, "cat.jpg"), bad1,
            Path.Combine(Reference.Images, "CLIP.png"), bad2,
            "--size", "224", "--output", output);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"Image '{bad1}'", result.Error);
        Assert.Contains($"Image '{bad2}'", result.Error);
        using var written = SafeTensors.Read(output);
        using var official = SafeTensors.Read(Reference.File("preprocess_224.safetensors"));
        Assert.Equal(["CLIP.png", "cat.jpg"], written.Tensors.Keys.Order(StringComparer.Ordinal));
        using var diff = (written.Tensors["cat.jpg"] - official.Tensors["cat.jpg.tensor"]).abs().max();
        Assert.True(diff.item<float>() <= 1e-6f);
    }

    [Fact]
    public void Help_lists_every_verb_of_the_contract()
    {
        var result = CliRunner.Run("--help");
        foreach (var verb in new[] { "models", "download", "convert", "tokenize", "preprocess", "embed", "bench" })
            Assert.Contains($"  {verb}", result.Output);
    }
}
