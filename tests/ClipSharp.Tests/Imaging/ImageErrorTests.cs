using ClipSharp.Imaging;

namespace ClipSharp.Tests.Imaging;

public class ImageErrorTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("clip-img-").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    string Write(string name, byte[] bytes)
    {
        string p = Path.Combine(dir, name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    [Fact]
    public void A_file_that_is_no_image_is_named()
    {
        string p = Write("notes.png", "hello"u8.ToArray());
        var e = Assert.Throws<ImageException>(() => ImageLoader.Load(p));
        Assert.Equal($"Image '{p}' is not a supported image (PNG, JPEG, GIF, BMP or WebP) or is corrupt", e.Message);
    }

    [Fact]
    public void A_truncated_image_is_named_as_truncated()
    {
        string p = Write("cut.jpg", File.ReadAllBytes(Path.Combine(Reference.Images, "cat.jpg"))[..20000]);
        var e = Assert.Throws<ImageException>(() => ImageLoader.Load(p));
        Assert.Equal($"Image '{p}' is truncated: its data ends before the last row", e.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        string p = Path.Combine(dir, "absent.png");
        var e = Assert.Throws<ImageException>(() => ImageLoader.Load(p));
        Assert.StartsWith($"Image '{p}' cannot be read", e.Message);
    }

    [Fact]
    public void An_image_over_the_pixel_limit_is_refused_before_decoding()
    {
        string p = Path.Combine(Reference.Images, "cat.jpg"); // 1800×1800
        var e = Assert.Throws<ImageException>(() => new ClipPreprocessor(224, maxPixels: 1_000_000).Pixels(p));
        Assert.Equal($"Image '{p}' is 1800×1800 = 3,240,000 pixels, over the limit of 1,000,000 " +
            "(a decompression bomb?)", e.Message);
    }

    [Fact]
    public void A_batch_reports_every_bad_file_and_keeps_the_good_ones()
    {
        string bad1 = Write("a.png", []), bad2 = Write("b.gif", "GIF89a"u8.ToArray());
        string good = Path.Combine(Reference.Images, "face-127.png");
        using var batch = new ClipPreprocessor(64).Batch([bad1, good, bad2]);
        Assert.Equal([good], batch.Paths);
        Assert.Equal(new long[] { 1, 3, 64, 64 }, batch.Images.shape);
        Assert.Equal([bad1, bad2], batch.Errors.Select(e => e.Path));
        Assert.All(batch.Errors, e => Assert.StartsWith($"Image '{e.Path}'", e.Message));
    }
}
