using ClipSharp.Analyses;
using ClipSharp.Checkpoints;
using ClipSharp.Imaging;
using ClipSharp.Modeling;
using ClipSharp.Tests.Cli;
using ClipSharp.ZeroShot;
using SkiaSharp;
using static TorchSharp.torch;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Analyses;

/// <summary><c>clip saliency</c> on the tiny reference models: keys and shapes of the written maps, the same numbers as
/// the library, overlays named by stem and class, and one-line errors that leave no output behind.</summary>
public sealed class GradCamCliTests : TempFolderTest
{
    static readonly string[] Images = ["face-127.png", "cat.jpg", "CLIP.png"];

    static string[] ImagePaths => [.. Images.Select(i => Path.Combine(Reference.Images, i))];

    string[] Args(string model, string output, params string[] more) =>
        ["saliency", .. ImagePaths, "--model", Reference.Model(model), "--vocab", Reference.Vocab,
            "--output", output, .. more];

    [Fact]
    public void Saliency_writes_a_G_by_G_map_per_image_and_class_equal_to_the_librarys()
    {
        string output = Path.Combine(Dir, "maps.safetensors");
        var result = CliRunner.Run(Args("tiny-rn.pt", output, "--template", "a photo of {}."));
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("3 image(s) × 2 class(es)", result.Output);

        using var written = SafeTensors.Read(output);
        var keys = Images.SelectMany(i => new[] { $"{i}:0", $"{i}:1" }).Order(StringComparer.Ordinal);
        Assert.Equal(keys, written.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.All(written.Tensors.Values, t =>
        {
            Assert.Equal(ScalarType.Float32, t.dtype);
            Assert.Equal(new long[] { 2, 2 }, t.shape); // tiny-rn: 64 px / 32
        });
        Assert.Equal("[\"no glasses\",\"glasses\"]", written.Metadata!["classes"]);

        using var model = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        var prompts = PromptSet.Create(["no glasses", "glasses"], ["a photo of {}."]);
        using var classifier = ZeroShotClassifier.Create(model, prompts, Reference.Tokenizer);
        using var gradCam = new GradCam(model, classifier);
        using var images = new ClipPreprocessor(model.ImageResolution).Batch(ImagePaths).Images;
        using var maps = gradCam.Maps(images);
        Assert.True(maps.abs().sum().item<float>() > 0, "all maps are zero: the comparison would prove nothing");
        for (int i = 0; i < Images.Length; i++)
            for (int k = 0; k < 2; k++)
                TensorAssert.Close(maps[i, k], written.Tensors[$"{Images[i]}:{k}"], relative: 1e-6,
                    what: $"{Images[i]}:{k}");
    }

    [Fact]
    public void Overlay_writes_one_png_per_image_and_class_at_the_models_resolution()
    {
        string overlays = Path.Combine(Dir, "overlays");
        var result = CliRunner.Run(Args("tiny-rn.pt", Path.Combine(Dir, "maps.safetensors"), "--overlay", overlays,
            "--class", "no glasses", "--class", "glasses", "--class", "glasses!"));
        Assert.True(result.ExitCode == 0, result.Error);
        var expected = Images.Select(Path.GetFileNameWithoutExtension)
            .SelectMany(s => new[] { $"{s}.no-glasses.png", $"{s}.glasses.png", $"{s}.glasses-2.png" })
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, Directory.GetFiles(overlays).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // The overlay is the crop the model saw, blended: close to it where the colour map is light, never identical.
        var pixels = new ClipPreprocessor(64).Pixels(ImagePaths[0]);
        using var png = SKBitmap.Decode(Path.Combine(overlays, "face-127.glasses.png"));
        Assert.Equal((64, 64), (png.Width, png.Height));
        int differing = 0;
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
            {
                var c = png.GetPixel(x, y);
                int p = (y * 64 + x) * 3;
                Assert.InRange(c.Red, (int)Math.Floor(0.55 * pixels[p]),
                    (int)Math.Ceiling(0.55 * pixels[p] + 0.45 * 255));
                if (c.Red != pixels[p] || c.Green != pixels[p + 1] || c.Blue != pixels[p + 2]) differing++;
            }
        Assert.True(differing > 64 * 64 / 2, $"only {differing} pixels differ from the image");
    }

    [Fact]
    public void A_vision_transformer_is_one_line_error_and_no_file()
    {
        string output = Path.Combine(Dir, "maps.safetensors");
        var result = CliRunner.Run(Args("tiny-vit.pt", output));
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.Contains("tiny-vit.pt", result.Error);
        Assert.Contains("Vision Transformer", result.Error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_broken_image_is_named_in_one_line_and_nothing_is_written()
    {
        string bad = Path.Combine(Dir, "broken.png");
        File.WriteAllText(bad, "not an image");
        string output = Path.Combine(Dir, "maps.safetensors");
        var result = CliRunner.Run(["saliency", ImagePaths[0], bad, "--model", Reference.Model("tiny-rn.pt"),
            "--vocab", Reference.Vocab, "--output", output, "--overlay", Path.Combine(Dir, "overlays")]);
        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.Contains(bad, result.Error);
        Assert.False(File.Exists(output));
        Assert.Equal("not an image", File.ReadAllText(bad));
    }

    [Fact]
    public void Images_with_one_name_or_one_stem_are_refused()
    {
        string copy = Path.Combine(Dir, "cat.png");
        File.Copy(ImagePaths[1], copy);
        string output = Path.Combine(Dir, "maps.safetensors");
        var stems = CliRunner.Run(["saliency", ImagePaths[1], copy, "--model", Reference.Model("tiny-rn.pt"),
            "--output", output, "--overlay", Path.Combine(Dir, "o")]);
        Assert.Equal(1, stems.ExitCode);
        Assert.Contains("stem 'cat'", stems.Error);
        string sameName = Path.Combine(Directory.CreateDirectory(Path.Combine(Dir, "other")).FullName,
            Path.GetFileName(ImagePaths[1]));
        File.Copy(ImagePaths[1], sameName);
        var names = CliRunner.Run(["saliency", ImagePaths[1], sameName, "--model", Reference.Model("tiny-rn.pt"),
            "--output", output]);
        Assert.Equal(1, names.ExitCode);
        Assert.Contains("'cat.jpg'", names.Error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Bf16_is_noted_and_the_maps_stay_fp32_exact()
    {
        string fp32 = Path.Combine(Dir, "fp32.safetensors"), bf16 = Path.Combine(Dir, "bf16.safetensors");
        Assert.Equal(0, CliRunner.Run(Args("tiny-rn.pt", fp32)).ExitCode);
        var result = CliRunner.Run(Args("tiny-rn.pt", bf16, "--dtype", "bf16"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("fp32", result.Error);
        using var a = SafeTensors.Read(fp32);
        using var b = SafeTensors.Read(bf16);
        foreach (var key in a.Tensors.Keys) TensorAssert.Identical(a.Tensors[key], b.Tensors[key], key);
    }

    [Fact]
    public void Help_lists_the_saliency_verb()
    {
        Assert.Contains("  saliency", CliRunner.Run("--help").Output);
        var help = CliRunner.Run("saliency", "--help").Output;
        foreach (var option in new[] { "--model", "--class", "--template", "--dtype", "--output", "--overlay" })
            Assert.Contains(option, help);
    }
}
