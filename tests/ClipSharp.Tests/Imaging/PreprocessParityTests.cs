using ClipSharp.Checkpoints;
using ClipSharp.Imaging;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Imaging;

public class PreprocessParityTests
{
    static readonly Lazy<Checkpoint> expected =
        new(() => SafeTensors.Read(Reference.File("preprocess_224.safetensors")));
    static Checkpoint Expected => expected.Value;
    static readonly ClipPreprocessor preprocessor = new(224);

    public static TheoryData<string> Images()
    {
        var data = new TheoryData<string>();
        var images = Directory.GetFiles(Reference.Images).Select(Path.GetFileName).Where(f => !f!.EndsWith(".csv"));
        foreach (var f in images.Order()) data.Add(f!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Pixels_match_the_official_resize_crop_and_rgb_conversion(string file)
    {
        var actual = preprocessor.Pixels(Path.Combine(Reference.Images, file));
        var official = Expected.Tensors[$"{file}.pixels"].bytes.ToArray();
        Assert.Equal(official.Length, actual.Length);
        int differing = 0, largest = 0;
        long total = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            int d = Math.Abs(actual[i] - official[i]);
            if (d > 0) differing++;
            largest = Math.Max(largest, d);
            total += d;
        }
        double mean = (double)total / actual.Length;
        if (file.EndsWith(".jpg") && Expected.Metadata[file].Contains("mode=CMYK"))
        {
            // Pillow resizes CMYK and converts afterwards; SkiaSharp hands us RGB: bounded, not exact.
            Assert.True(mean < 0.5 && largest <= 8, $"{file}: mean |Δ| {mean:F4}, max {largest}");
            return;
        }
        Assert.True(differing == 0,
            $"{file}: {differing} of {actual.Length} values differ (mean |Δ| {mean:F4}, max {largest})");
    }
}

public class PreprocessTensorTests
{
    [Theory]
    [InlineData("CLIP.png")]
    [InlineData("face-127.png")]
    [InlineData("cat.jpg")]
    public void Normalised_tensor_is_within_1e6_of_the_official_preprocess(string file)
    {
        using var official = ClipSharp.Checkpoints.SafeTensors.Read(Reference.File("preprocess_224.safetensors"));
        using var actual = new ClipPreprocessor(224).Preprocess(Path.Combine(Reference.Images, file));
        using var diff = (actual - official.Tensors[$"{file}.tensor"]).abs().max();
        Assert.True(diff.item<float>() <= 1e-6f, $"{file}: largest difference {diff.item<float>():E3}");
    }

    [Fact]
    public void A_batch_stacks_images_in_order()
    {
        string[] files = ["face-127.png", "cat.jpg"];
        using var batch = new ClipPreprocessor(224).Batch([.. files.Select(f => Path.Combine(Reference.Images, f))]);
        Assert.Equal(new long[] { 2, 3, 224, 224 }, batch.Images.shape);
        using var second = new ClipPreprocessor(224).Preprocess(Path.Combine(Reference.Images, "cat.jpg"));
        Assert.True(batch.Images[1].eq(second).all().item<bool>());
    }
}
