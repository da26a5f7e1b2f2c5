using ClipSharp.Imaging;
using SkiaSharp;

namespace ClipSharp.Analyses;

/// <summary>A Grad-CAM map laid over the image the model saw: the map upsampled (bilinear) to the image, normalised to
/// [0, 1] for display (the saved maps are not), coloured with <see cref="ColorMap.Jet"/> and blended with the
/// pixels.</summary>
public static class SaliencyOverlay
{
    /// <summary>The colour map's share of each blended pixel.</summary>
    public const float Opacity = 0.45f;

    /// <summary>The overlay of a [grid, grid] map on RGB pixels [size, size, 3] (as
    /// <see cref="ClipPreprocessor.Pixels(string)"/> returns them): RGB bytes of the same shape.</summary>
    public static byte[] Blend(byte[] rgb, int size, float[] map, int grid)
    {
        if (rgb.Length != size * size * 3)
            throw new ArgumentException(
                $"Expected {size}×{size}×3 = {size * size * 3} bytes of pixels; got {rgb.Length}");
        var heat = Normalize(BilinearUpsample.Resize(map, grid, size));
        var result = new byte[rgb.Length];
        for (int i = 0; i < heat.Length; i++)
        {
            var (r, g, b) = ColorMap.Jet(heat[i]);
            result[3 * i] = Mix(rgb[3 * i], r);
            result[3 * i + 1] = Mix(rgb[3 * i + 1], g);
            result[3 * i + 2] = Mix(rgb[3 * i + 2], b);
        }
        return result;
    }

    static byte Mix(byte image, byte colour) => (byte)Math.Round((1 - Opacity) * image + Opacity * colour);

    /// <summary>(v − min) / (max − min); all zeros when the map is flat (e.g. ReLU left nothing).</summary>
    public static float[] Normalize(float[] values)
    {
        float min = values.Min(), max = values.Max();
        return max > min ? [.. values.Select(v => (v - min) / (max - min))] : new float[values.Length];
    }

    /// <summary>Writes RGB bytes [size, size, 3] as a PNG; the file appears only once complete.</summary>
    public static void WritePng(string path, byte[] rgb, int size)
    {
        var image = RgbaImage.FromRgb(rgb, size);
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(image.Pixels, 0, bitmap.GetPixels(), image.Pixels.Length);
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, stream => png.SaveTo(stream));
    }
}
