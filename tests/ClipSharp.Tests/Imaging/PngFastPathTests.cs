using System.Security.Cryptography;
using ClipSharp.Imaging;
using SkiaSharp;
using static ClipSharp.Tests.Imaging.PngBuilder;

namespace ClipSharp.Tests.Imaging;

/// <summary>The PNG fast path (libdeflate + own unfiltering) writes the very bytes Skia writes, and is really taken
/// for the PNGs it is meant for. The tests that switch it off share a collection, so none runs while another has
/// switched it.</summary>
[Collection(nameof(PngFastPath))]
public class PngFastPathTests
{
    /// <summary>Without libdeflate the fast path is off: its tests are skipped on a developer's machine, and fail
    /// on CI (which installs it).</summary>
    internal static void RequireLibDeflate() =>
        Skip.If(!LibDeflate.Available && Environment.GetEnvironmentVariable("CI") != "true",
            "libdeflate is not installed, so the PNG fast path is off");

    /// <summary>The RGBA bytes of the fast path alone; fails the test when it refuses the file.</summary>
    internal static byte[] FastPixels(byte[] png, long maxPixels = ImageLoader.DefaultMaxPixels)
    {
        RequireLibDeflate();
        Assert.True(PngFastPath.TryOpen(png, maxPixels, out var layout), "the fast path refused the file");
        var rgba = new byte[layout.Width * layout.Height * 4];
        Assert.True(PngFastPath.TryDecode(png, layout, rgba), "the fast path could not decode the file");
        return rgba;
    }

    /// <summary>What ImageLoader.Decode makes of the file (size, mode and pixels, or the error message), with the
    /// fast path on or off.</summary>
    internal static string Outcome(byte[] png, bool fast, long maxPixels = ImageLoader.DefaultMaxPixels)
    {
        PngFastPath.Enabled = fast;
        try
        {
            var image = ImageLoader.Decode(png, "image.png", maxPixels);
            return $"{image.Width}x{image.Height} {image.Mode} {Convert.ToHexString(SHA256.HashData(image.Pixels))}";
        }
        catch (ImageException e)
        {
            return e.Message;
        }
        finally
        {
            PngFastPath.Enabled = true;
        }
    }

    /// <summary>The pixels the pooled decode passes on, with the fast path on or off.</summary>
    static byte[] Pooled(byte[] png, bool fast)
    {
        PngFastPath.Enabled = fast;
        try
        {
            return ImageLoader.DecodePooled(png, "image.png", ImageLoader.DefaultMaxPixels, (_, _, _) => true,
                image => image.Pixels[..(image.Width * image.Height * 4)])!;
        }
        finally
        {
            PngFastPath.Enabled = true;
        }
    }

    static void AssertParity(byte[] png)
    {
        byte[] fast = FastPixels(png);
        var skia = (RgbaImage?)null;
        PngFastPath.Enabled = false;
        try { skia = ImageLoader.Decode(png, "image.png"); }
        finally { PngFastPath.Enabled = true; }
        Assert.Equal(skia.Pixels, fast);
        Assert.Equal(Outcome(png, fast: false), Outcome(png, fast: true));
        Assert.Equal(skia.Pixels, Pooled(png, fast: true));
        Assert.Equal(skia.Pixels, Pooled(png, fast: false));
    }

    [SkippableTheory]
    [InlineData("face-127.png")] // RGB, mostly Paeth rows, gAMA cHRM bKGD tIME tEXt
    [InlineData("face-1097.png")]
    [InlineData("face-1112.png")]
    [InlineData("face-1146.png")]
    [InlineData("face-1172.png")]
    [InlineData("face-1400.png")]
    [InlineData("face-1514.png")]
    [InlineData("face-1815.png")]
    [InlineData("synthetic_225x301.png")] // iCCP
    [InlineData("synthetic_1x1.png")]
    [InlineData("synthetic_exact224.png")]
    [InlineData("synthetic_la.png")] // grey + alpha
    [InlineData("CLIP.png")] // RGBA, many IDATs
    public void Reference_pngs_decode_to_the_bytes_skia_writes(string file) =>
        AssertParity(File.ReadAllBytes(Reference.File("images", file)));

    [SkippableFact]
    public void The_palette_reference_png_is_left_to_skia()
    {
        byte[] png = File.ReadAllBytes(Reference.File("images", "synthetic_palette_transparent.png"));
        Assert.False(PngFastPath.TryOpen(png, ImageLoader.DefaultMaxPixels, out _));
    }

    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int width in new[] { 1, 2, 3, 225, 1024 })
        foreach (int channels in new[] { 3, 4, 1, 2 })
        foreach (int filter in new[] { 0, 1, 2, 3, 4, -1, -2 }) // -1: filter y % 5; -2: random per row
            data.Add(width, channels, filter);
        return data;
    }

    static int ColourType(int channels) => channels switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 };

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Every_filter_width_and_colour_type_decodes_to_the_bytes_skia_writes(int width, int channels,
        int filter)
    {
        const int height = 7;
        var random = new Random(width * 31 + channels);
        Func<int, int> filterOf = filter switch { -1 => y => y % 5, -2 => _ => random.Next(5), _ => _ => filter };
        byte[] rows = Filter(RandomSamples(width, height, channels, width + filter), width, height, channels,
            filterOf);
        AssertParity(Png(width, height, ColourType(channels), rows));
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(4093)]
    public void An_idat_stream_split_into_chunks_decodes_as_one(int split)
    {
        const int width = 225, height = 40;
        byte[] rows = Filter(RandomSamples(width, height, 3, split), width, height, 3, y => (y * 7) % 5);
        byte[] png = Png(width, height, 2, rows, split);
        AssertParity(png);
        Assert.Equal(FastPixels(Png(width, height, 2, rows)), FastPixels(png));
    }

    [SkippableTheory]
    [InlineData(1024, 1024, SKColorType.Rgba8888, SKAlphaType.Opaque)]
    [InlineData(300, 700, SKColorType.Rgba8888, SKAlphaType.Unpremul)]
    [InlineData(333, 77, SKColorType.Gray8, SKAlphaType.Opaque)]
    public void Random_pixel_pngs_encoded_by_skia_decode_to_the_bytes_skia_writes(int width, int height,
        SKColorType type, SKAlphaType alpha)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, type, alpha));
        var pixels = new byte[bitmap.ByteCount];
        new Random(width).NextBytes(pixels);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AssertParity(data.ToArray());
    }

    [SkippableFact]
    public void A_smooth_image_with_extreme_values_decodes_to_the_bytes_skia_writes()
    {
        // Gradients and 0/255 runs: the wrap-around of every filter's sum and each Paeth branch.
        const int width = 64, height = 64;
        var samples = new byte[width * height * 4];
        for (int i = 0; i < samples.Length; i++)
            samples[i] = (byte)((i / 4 % width) * 4 + (i / 4 / width) * (i % 4 == 1 ? -4 : 3) + (i % 7 == 0 ? 255 : 0));
        for (int filter = 0; filter <= 4; filter++)
            AssertParity(Png(width, height, 6, Filter(samples, width, height, 4, _ => filter)));
    }
}
