namespace ClipSharp.Imaging;

/// <summary>8-bit pixels, four bytes a pixel (R, G, B, A; alpha not premultiplied), with the Pillow mode of the
/// source.</summary>
public sealed record RgbaImage(int Width, int Height, byte[] Pixels, PillowMode Mode)
{

    /// <summary>An opaque image of RGB bytes [size, size, 3], as <see cref="ClipPreprocessor.Pixels(string)"/>
    /// returns them.</summary>
    public static RgbaImage FromRgb(byte[] rgb, int size)
    {
        if (rgb.Length != size * size * 3)
            throw new ArgumentException($"Expected {size}×{size}×3 = {size * size * 3} bytes; got {rgb.Length}");
        var rgba = new byte[size * size * 4];
        for (int i = 0; i < size * size; i++)
        {
            rgba[4 * i] = rgb[3 * i];
            rgba[4 * i + 1] = rgb[3 * i + 1];
            rgba[4 * i + 2] = rgb[3 * i + 2];
            rgba[4 * i + 3] = 255;
        }
        return new RgbaImage(size, size, rgba, PillowMode.RGB);
    }
}
