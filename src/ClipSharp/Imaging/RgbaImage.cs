namespace ClipSharp.Imaging;

/// <summary>8-bit pixels, four bytes a pixel (R, G, B, A; alpha not premultiplied), with the Pillow mode of the
/// source.</summary>
public sealed record RgbaImage(int Width, int Height, byte[] Pixels, PillowMode Mode)
{
    public byte this[int x, int y, int channel] => Pixels[(y * Width + x) * 4 + channel];
}
