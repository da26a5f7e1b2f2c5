using ClipSharp.Imaging;
using SkiaSharp;

namespace ClipSharp.Tests.Imaging;

/// <summary>Preprocessing from a file's bytes decodes into a pooled buffer: the same bytes and the same errors as
/// preprocessing the whole decoded image, whatever the buffer held before.</summary>
public class PooledDecodeTests
{
    static readonly ClipPreprocessor preprocessor = new(224);

    static byte[] Whole(byte[] encoded, string name) =>
        preprocessor.Pixels(ImageLoader.Decode(encoded, name), name);

    public static TheoryData<string> ReferenceImages()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Reference.Images).Where(f => !f.EndsWith(".csv")).Order())
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceImages))]
    public void Reference_images_give_the_bytes_of_the_whole_image_path(string file)
    {
        byte[] encoded = File.ReadAllBytes(Path.Combine(Reference.Images, file));
        Assert.Equal(Whole(encoded, file), preprocessor.Pixels(encoded, file));
    }

    // Random pixels (alpha too, when asked), encoded as PNG by Skia.
    static byte[] Png(int width, int height, SKColorType type, SKAlphaType alpha, int seed)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, type, alpha));
        var pixels = new byte[bitmap.ByteCount];
        random.NextBytes(pixels);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    [Theory]
    [InlineData(300, 700, SKColorType.Rgba8888, SKAlphaType.Unpremul)]
    [InlineData(900, 250, SKColorType.Rgba8888, SKAlphaType.Opaque)]
    [InlineData(224, 224, SKColorType.Rgba8888, SKAlphaType.Unpremul)] // at size: copied without premultiplying
    [InlineData(500, 224, SKColorType.Gray8, SKAlphaType.Opaque)]
    [InlineData(1024, 1024, SKColorType.Rgba8888, SKAlphaType.Opaque)]
    public void Pngs_of_every_shape_and_mode_give_the_same_bytes(int width, int height, SKColorType type,
        SKAlphaType alpha)
    {
        // A large image first, so the smaller one gets a buffer that held other pixels.
        byte[] large = Png(1200, 1100, SKColorType.Rgba8888, SKAlphaType.Unpremul, 1);
        Assert.Equal(Whole(large, "large.png"), preprocessor.Pixels(large, "large.png"));
        byte[] png = Png(width, height, type, alpha, width * height);
        Assert.Equal(Whole(png, "image.png"), preprocessor.Pixels(png, "image.png"));
    }

    [Fact]
    public void A_truncated_png_gives_the_same_error_as_the_whole_image_path()
    {
        byte[] png = Png(400, 600, SKColorType.Rgba8888, SKAlphaType.Opaque, 7);
        byte[] cut = png[..(png.Length * 3 / 4)];
        var whole = Assert.Throws<ImageException>(() => Whole(cut, "cut.png"));
        var pooled = Assert.Throws<ImageException>(() => preprocessor.Pixels(cut, "cut.png"));
        Assert.Equal(whole.Message, pooled.Message);
        Assert.Contains("truncated", pooled.Message);
    }
}
