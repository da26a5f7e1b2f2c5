using ClipSharp.Imaging;

namespace ClipSharp.Tests.Hardening;

/// <summary>Resampling only the centre crop gives the bytes of the full resize's crop (the existing full path is the
/// reference), for extreme aspect ratios and random sizes, in every resize mode.</summary>
public class ImageResizeRegionTests
{
    static (int W, int H) Target(int w, int h, int size) =>
        w <= h ? (size, (int)((double)size * h / w)) : ((int)((double)size * w / h), size);

    static byte[] CropOf(byte[] full, int fullWidth, int left, int top, int width, int height)
    {
        var crop = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
            Array.Copy(full, ((top + y) * fullWidth + left) * 4, crop, y * width * 4, width * 4);
        return crop;
    }

    static void AssertRegionEqualsFullCrop(byte[] src, int w, int h, int outW, int outH,
        int left, int top, int rw, int rh)
    {
        string what = $"{w}×{h} → {outW}×{outH}, region {rw}×{rh} at ({left}, {top})";
        var full = PillowResize.Bicubic(src, w, h, outW, outH);
        Assert.True(CropOf(full, outW, left, top, rw, rh).AsSpan()
            .SequenceEqual(PillowResize.BicubicRegion(src, w, h, outW, outH, left, top, rw, rh)), $"bicubic {what}");

        var fullAlpha =
            PillowResize.Unpremultiply(PillowResize.Bicubic(PillowResize.Premultiply(src), w, h, outW, outH));
        Assert.True(CropOf(fullAlpha, outW, left, top, rw, rh).AsSpan()
            .SequenceEqual(PillowResize.BicubicRegion(src, w, h, outW, outH, left, top, rw, rh, alpha: true)),
            $"premultiplied bicubic {what}");

        var nearest = PillowResize.Nearest(src, w, h, outW, outH);
        Assert.True(CropOf(nearest, outW, left, top, rw, rh).AsSpan()
            .SequenceEqual(PillowResize.NearestRegion(src, w, h, outW, outH, left, top, rw, rh)), $"nearest {what}");
    }

    [Theory]
    [InlineData(3, 500, 224)]
    [InlineData(500, 3, 224)]
    [InlineData(1, 200, 224)]
    [InlineData(200, 1, 224)]
    [InlineData(2, 900, 64)]
    [InlineData(1000, 700, 224)]
    [InlineData(230, 225, 224)]
    [InlineData(223, 300, 224)]
    public void The_centre_crop_alone_equals_the_crop_of_the_full_resize(int w, int h, int size)
    {
        var src = ImageSamples.RandomPixels(w, h, new Random(w * 7919 + h));
        var (outW, outH) = Target(w, h, size);
        int top = (int)Math.Round((outH - size) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((outW - size) / 2.0, MidpointRounding.ToEven);
        AssertRegionEqualsFullCrop(src, w, h, outW, outH, left, top, size, size);
    }

    [Fact]
    public void Any_region_of_random_resizes_equals_the_same_region_of_the_full_resize()
    {
        var random = new Random(20261127);
        for (int trial = 0; trial < 60; trial++)
        {
            int w = random.Next(1, 300), h = random.Next(1, 300);
            int outW = random.Next(1, 400), outH = random.Next(1, 400);
            if (w == outW && h == outH) continue; // no resize: Pillow copies (see the test below)
            int rw = random.Next(1, outW + 1), rh = random.Next(1, outH + 1);
            int left = random.Next(0, outW - rw + 1), top = random.Next(0, outH - rh + 1);
            AssertRegionEqualsFullCrop(ImageSamples.RandomPixels(w, h, random), w, h, outW, outH, left, top, rw, rh);
        }
    }

    [Fact]
    public void An_image_already_at_its_size_is_cropped_untouched_as_pillow_copies_it()
    {
        var src = ImageSamples.RandomPixels(224, 300, new Random(5));
        var crop = PillowResize.BicubicRegion(src, 224, 300, 224, 300, 0, 38, 224, 224, alpha: true);
        Assert.Equal(src.AsSpan(38 * 224 * 4, 224 * 224 * 4).ToArray(), crop);
    }

    [Fact]
    public void The_preprocessor_gives_the_full_resize_pipeline_s_pixels_for_extreme_aspect_ratios()
    {
        var random = new Random(11);
        foreach (var (w, h) in new[] { (3, 500), (500, 3), (1, 150), (7, 1) })
        {
            var image = new RgbaImage(w, h, ImageSamples.RandomPixels(w, h, random), PillowMode.RGB);
            var (outW, outH) = Target(w, h, 224);
            var full = PillowResize.Bicubic(image.Pixels, w, h, outW, outH);
            int top = (int)Math.Round((outH - 224) / 2.0, MidpointRounding.ToEven);
            int left = (int)Math.Round((outW - 224) / 2.0, MidpointRounding.ToEven);
            var crop = CropOf(full, outW, left, top, 224, 224);
            var rgb = new ClipPreprocessor(224).Pixels(image);
            for (int i = 0; i < 224 * 224; i++)
                for (int c = 0; c < 3; c++)
                    Assert.True(rgb[i * 3 + c] == crop[i * 4 + c], $"{w}×{h}: pixel {i} channel {c}");
        }
    }
}
