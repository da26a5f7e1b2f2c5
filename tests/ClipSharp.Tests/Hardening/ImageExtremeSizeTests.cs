using System.Diagnostics;
using ClipSharp.Imaging;
using ClipSharp.Tests.Cli;
using SkiaSharp;

namespace ClipSharp.Tests.Hardening;

/// <summary>Image sizes and resize targets from untrusted input are checked before use: extreme aspect ratios resize
/// in bounded memory, or fail with an ImageException naming the file; a batch keeps its good images.</summary>
public class ImageExtremeSizeTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("clip-extreme-").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    [Theory]
    [InlineData(1, 25000)]
    [InlineData(25000, 1)]
    [InlineData(1, 100000)]
    public void A_one_pixel_wide_png_gives_224_squared_in_bounded_time_and_memory(int w, int h)
    {
        string path = ImageSamples.Write(dir, "thin.png", ImageSamples.Png(w, h, new Random(w + h)));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        using var tensor = new ClipPreprocessor(224).Preprocess(path);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 200L << 20, $"allocated {allocated:N0} bytes");
        Assert.Equal(new long[] { 3, 224, 224 }, tensor.shape);

        // One input column (or row): every output row (or column) is constant across it.
        var rgb = new ClipPreprocessor(224).Pixels(path);
        for (int y = 0; y < 224; y++)
            for (int x = 0; x < 224; x++)
            {
                int i = (y * 224 + x) * 3, same = w == 1 ? (y * 224) * 3 : x * 3;
                Assert.True(rgb[i] == rgb[same] && rgb[i + 1] == rgb[same + 1] && rgb[i + 2] == rgb[same + 2],
                    $"({x}, {y}) differs from its {(w == 1 ? "row" : "column")}");
            }
    }

    [Fact]
    public void A_target_over_pillow_s_side_limit_is_an_image_error_naming_the_file()
    {
        // 1×300000 at 224 would be 224×67,200,000: Pillow refuses its coefficients, we say so.
        string path = ImageSamples.Write(dir, "needle.png", ImageSamples.Png(1, 300000, new Random(3)));
        var e = Assert.Throws<ImageException>(() => new ClipPreprocessor(224).Pixels(path));
        Assert.StartsWith(
            $"Image '{path}' is 1×300000: resizing its short side to 224 makes it 224×67,200,000", e.Message);
    }

    [Fact]
    public void A_batch_keeps_its_good_images_beside_an_extreme_one()
    {
        string bad = ImageSamples.Write(dir, "needle.png", ImageSamples.Png(1, 300000, new Random(3)));
        string thin = ImageSamples.Write(dir, "thin.png", ImageSamples.Png(1, 25000, new Random(4)));
        string good = Path.Combine(Reference.Images, "face-127.png");
        using var batch = new ClipPreprocessor(224).Batch([bad, good, thin]);
        Assert.Equal([good, thin], batch.Paths);
        Assert.Equal(new long[] { 2, 3, 224, 224 }, batch.Images.shape);
        var error = Assert.Single(batch.Errors);
        Assert.Equal(bad, error.Path);
        Assert.StartsWith($"Image '{bad}'", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2049)]
    [InlineData(100000)]
    [InlineData(int.MaxValue)]
    public void A_preprocess_size_out_of_range_is_refused(int size)
    {
        var e = Assert.Throws<ImageException>(() => new ClipPreprocessor(size));
        Assert.Equal($"The preprocess size {size} is out of range 1–2048", e.Message);
    }

    [Fact]
    public void Clip_preprocess_with_a_huge_size_or_pixel_limit_says_so_in_one_line()
    {
        string output = Path.Combine(dir, "out.safetensors");
        string image = Path.Combine(Reference.Images, "face-127.png");
        var run = CliRunner.Run("preprocess", image, "--size", "100000", "--output", output);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: The preprocess size 100000 is out of range 1–2048", run.Error.Trim());
        run = CliRunner.Run("preprocess", image, "--max-pixels", "1000000000000", "--output", output);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: The pixel limit 1,000,000,000,000 is out of range", run.Error.Trim());
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void An_rgba_image_whose_bytes_do_not_match_its_size_is_refused()
    {
        var image = new RgbaImage(100000, 100000, new byte[16], PillowMode.RGB);
        var e = Assert.Throws<ImageException>(() => new ClipPreprocessor(224).Pixels(image, "forged"));
        Assert.Equal("Image 'forged' has 16 bytes for 100000×100000 RGBA pixels", e.Message);
    }

    [Fact]
    public void A_grey_png_of_extreme_width_resizes_as_its_region()
    {
        string path = ImageSamples.Write(dir, "grey.png", ImageSamples.Png(9000, 1, new Random(9), SKColorType.Gray8));
        Assert.Equal(224 * 224 * 3, new ClipPreprocessor(224).Pixels(path).Length);
    }
}
