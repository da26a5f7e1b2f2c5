using SkiaSharp;

namespace ClipSharp.Tests.Hardening;

/// <summary>Small images made at run time: PNG and JPEG through SkiaSharp, GIF by hand (Skia encodes no GIF).</summary>
static class ImageSamples
{
    /// <summary>Random RGBA pixels, width × height × 4 bytes.</summary>
    public static byte[] RandomPixels(int width, int height, Random random)
    {
        var pixels = new byte[(long)width * height * 4];
        random.NextBytes(pixels);
        return pixels;
    }

    public static byte[] Png(int width, int height, Random random, SKColorType type = SKColorType.Rgba8888) =>
        Encode(width, height, random, type, SKEncodedImageFormat.Png, 100);

    public static byte[] Jpeg(int width, int height, Random random, SKColorType type = SKColorType.Rgba8888) =>
        Encode(width, height, random, type, SKEncodedImageFormat.Jpeg, 80);

    static byte[] Encode(int width, int height, Random random, SKColorType type, SKEncodedImageFormat format, int q)
    {
        var alpha = type == SKColorType.Gray8 || format == SKEncodedImageFormat.Jpeg
            ? SKAlphaType.Opaque
            : SKAlphaType.Unpremul;
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, type, alpha));
        var bytes = new byte[bitmap.ByteCount];
        random.NextBytes(bytes);
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        using var data = bitmap.Encode(format, q);
        return data.ToArray();
    }

    /// <summary>A GIF89a with a 4-colour global palette: LZW with 3-bit codes and a clear code after every two pixels,
    /// so the code table never grows (valid, if not compressed).</summary>
    public static byte[] Gif(int width, int height, Random random)
    {
        var gif = new List<byte>();
        gif.AddRange("GIF89a"u8.ToArray());
        gif.AddRange([(byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0x81, 0, 0]);
        for (int i = 0; i < 4 * 3; i++) gif.Add((byte)random.Next(256));
        gif.AddRange([0x2C, 0, 0, 0, 0, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0, 2]);
        var codes = new List<int>();
        for (int p = 0; p < width * height; p++)
        {
            if (p % 2 == 0) codes.Add(4); // clear
            codes.Add(random.Next(4));
        }
        codes.Add(5); // end of information
        var packed = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var code in codes)
        {
            buffer |= code << bits;
            for (bits += 3; bits >= 8; bits -= 8, buffer >>= 8) packed.Add((byte)buffer);
        }
        if (bits > 0) packed.Add((byte)buffer);
        for (int i = 0; i < packed.Count; i += 255)
        {
            int n = Math.Min(255, packed.Count - i);
            gif.Add((byte)n);
            gif.AddRange(packed.GetRange(i, n));
        }
        gif.AddRange([0, 0x3B]);
        return [.. gif];
    }

    public static string Write(string dir, string name, byte[] bytes)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Makes a FIFO with the system's <c>mkfifo</c>.</summary>
    public static string Fifo(string dir, string name)
    {
        string path = Path.Combine(dir, name);
        using var process = System.Diagnostics.Process.Start("mkfifo", [path]);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return path;
    }
}
