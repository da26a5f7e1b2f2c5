using System.Buffers;
using SkiaSharp;

namespace ClipSharp.Imaging;

/// <summary>
/// Decodes PNG, JPEG, GIF (first frame), BMP and WebP with SkiaSharp into unpremultiplied RGBA with no colour
/// management (Pillow ignores ICC profiles and EXIF orientation too), and reads from the file header the mode
/// Pillow would open it in. The common PNGs are decoded by <see cref="PngFastPath"/> instead, to the same bytes.
/// </summary>
public static class ImageLoader
{
    /// <summary>Images with more pixels are refused (decompression bombs); Pillow's own warning threshold is ~89 M.
    /// </summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>The largest pixel limit a caller may set: the decoded RGBA bytes (4 a pixel) must fit one array.
    /// </summary>
    public const long MaxPixelsLimit = 500_000_000;

    /// <summary>Image files larger than this are refused before they are read (a 100-megapixel PNG is rarely larger).
    /// </summary>
    public const long MaxFileBytes = 128L << 20;

    public static RgbaImage Load(string path, long maxPixels = DefaultMaxPixels) =>
        Decode(ReadFile(path), path, maxPixels);

    /// <summary>An image file's bytes. Only a regular file of at most <see cref="MaxFileBytes"/> bytes is read: a
    /// missing, unreadable or oversized file, a directory, FIFO or device is an <see cref="ImageException"/> naming it.
    /// </summary>
    public static byte[] ReadFile(string path, long maxBytes = MaxFileBytes) =>
        RegularFile.ReadAll(path, maxBytes, (problem, inner) => new ImageException($"Image '{path}' {problem}", inner));

    /// <summary>Why <paramref name="path"/> would be refused by <see cref="ReadFile"/>, or null; checked without
    /// opening it, so that a list of images can be checked up front.</summary>
    public static string? FileProblem(string path, long maxBytes = MaxFileBytes) =>
        RegularFile.Problem(path, maxBytes) is { } problem ? $"Image '{path}' {problem}" : null;

    public static unsafe RgbaImage Decode(byte[] data, string name, long maxPixels = DefaultMaxPixels)
    {
        CheckInput(data.Length, name, maxPixels);
        if (PngFastPath.TryOpen(data, maxPixels, out var png))
        {
            var fast = new byte[(long)png.Width * png.Height * 4];
            if (PngFastPath.TryDecode(data, png, fast))
                return new RgbaImage(png.Width, png.Height, fast, PngMode(data));
        }
        // Skia reads the caller's array in place (pinned for the decode) instead of copying it.
        fixed (byte* encoded = data)
        {
            using var skData = SKData.Create((IntPtr)encoded, data.Length);
            using var codec = OpenCodec(skData, name, maxPixels);
            var (w, h) = (codec.Info.Width, codec.Info.Height);
            var pixels = new byte[(long)w * h * 4]; // at most MaxPixelsLimit·4 bytes, under Array.MaxLength
            DecodeInto(codec, pixels, name);
            return new RgbaImage(w, h, pixels, ModeOf(data, codec.EncodedFormat, codec.Info.AlphaType));
        }
    }

    /// <summary>Decoded images up to this many RGBA bytes (16 megapixels) borrow their buffer from a pool.</summary>
    internal const int PooledBytes = 64 << 20;

    /// <summary><paramref name="use"/>'s result on the image decoded as <see cref="Decode"/> does, but into a buffer
    /// borrowed from a pool for the call (a fresh 4 MB array an image costs page faults and garbage collections): its
    /// first width·height·4 bytes are the pixels. Null, without decoding, when <paramref name="accepts"/> refuses the
    /// image's size and mode (the caller then decodes it as it likes).</summary>
    internal static unsafe T? DecodePooled<T>(byte[] data, string name, long maxPixels,
        Func<int, int, PillowMode, bool> accepts, Func<PooledImage, T> use) where T : class
    {
        CheckInput(data.Length, name, maxPixels);
        if (PngFastPath.TryOpen(data, maxPixels, out var png))
        {
            var pngMode = PngMode(data);
            if (!accepts(png.Width, png.Height, pngMode)) return null;
            var fast = UsePooled(png.Width, png.Height, pngMode, pixels => PngFastPath.TryDecode(data, png, pixels),
                use, out bool decoded);
            if (decoded) return fast;
        }
        fixed (byte* encoded = data)
        {
            using var skData = SKData.Create((IntPtr)encoded, data.Length);
            using var codec = OpenCodec(skData, name, maxPixels);
            var (w, h) = (codec.Info.Width, codec.Info.Height);
            var mode = ModeOf(data, codec.EncodedFormat, codec.Info.AlphaType);
            if (!accepts(w, h, mode)) return null;
            return UsePooled(w, h, mode, pixels => { DecodeInto(codec, pixels, name); return true; }, use, out _);
        }
    }

    // use's result on the pixels that fill writes into a borrowed buffer; null, use not called, when fill fails.
    static T? UsePooled<T>(int w, int h, PillowMode mode, Func<byte[], bool> fill, Func<PooledImage, T> use,
        out bool filled) where T : class
    {
        var pixels = Borrow((long)w * h * 4);
        try
        {
            filled = fill(pixels);
            return filled ? use(new PooledImage(w, h, mode, pixels)) : null;
        }
        finally
        {
            GiveBack(pixels);
        }
    }

    /// <summary>A buffer of at least <paramref name="bytes"/> bytes: up to <see cref="PooledBytes"/> from the shared
    /// pool, larger (a rare, huge image) a plain array the collector frees, not a power-of-two rental the pool would
    /// keep for the rest of the process.</summary>
    internal static byte[] Borrow(long bytes) =>
        bytes <= PooledBytes ? ArrayPool<byte>.Shared.Rent((int)bytes) : new byte[bytes];

    /// <summary>Ends a <see cref="Borrow"/>: a pooled buffer goes back to the pool.</summary>
    internal static void GiveBack(byte[] buffer)
    {
        if (buffer.Length <= PooledBytes) ArrayPool<byte>.Shared.Return(buffer);
    }

    static unsafe void DecodeInto(SKCodec codec, byte[] pixels, string name)
    {
        var (w, h) = (codec.Info.Width, codec.Info.Height);
        SKCodecResult result;
        fixed (byte* target = pixels)
            result = codec.GetPixels(RgbaInfo(w, h), (IntPtr)target, w * 4, new SKCodecOptions(0));
        if (result == SKCodecResult.IncompleteInput)
            throw new ImageException($"Image '{name}' is truncated: its data ends before the last row");
        if (result != SKCodecResult.Success)
            throw new ImageException($"Image '{name}' could not be decoded ({result})");
    }

    // The checks every decode makes before it allocates: pixel limit and empty file, then format and size.
    static void CheckInput(int length, string name, long maxPixels)
    {
        if (maxPixels is < 1 or > MaxPixelsLimit)
            throw new ImageException($"The pixel limit {maxPixels:N0} is out of range 1–{MaxPixelsLimit:N0}");
        if (length == 0) throw new ImageException($"Image '{name}' is empty");
    }

    static SKCodec OpenCodec(SKData data, string name, long maxPixels)
    {
        var codec = SKCodec.Create(data) ?? throw new ImageException(
            $"Image '{name}' is not a supported image (PNG, JPEG, GIF, BMP or WebP) or is corrupt");
        var (w, h) = (codec.Info.Width, codec.Info.Height);
        long pixelCount = (long)w * h;
        string? problem = w <= 0 || h <= 0 ? $"Image '{name}' has no pixels ({w}×{h})"
            : pixelCount > maxPixels ? $"Image '{name}' is {w}×{h} = {pixelCount:N0} pixels, over the limit of " +
                $"{maxPixels:N0} (a decompression bomb?)"
            : null;
        if (problem is null) return codec;
        codec.Dispose();
        throw new ImageException(problem);
    }

    static SKImageInfo RgbaInfo(int width, int height) =>
        new(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul, colorspace: null);

    static PillowMode ModeOf(byte[] data, SKEncodedImageFormat format, SKAlphaType alpha) => format switch
    {
        SKEncodedImageFormat.Png => PngMode(data),
        SKEncodedImageFormat.Jpeg =>
            JpegComponents(data) switch { 1 => PillowMode.L, 4 => PillowMode.CMYK, _ => PillowMode.RGB },
        SKEncodedImageFormat.Gif => GifHasGreyPalette(data) ? PillowMode.L : PillowMode.P,
        _ => alpha == SKAlphaType.Opaque ? PillowMode.RGB : PillowMode.RGBA,
    };

    // IHDR: bit depth at byte 24, colour type at 25.
    static PillowMode PngMode(byte[] d) => d.Length < 26 ? PillowMode.RGB : (d[25], d[24]) switch
    {
        (0, 1) => PillowMode.One,
        (0, _) => PillowMode.L,
        (3, _) => PillowMode.P,
        (4, _) => PillowMode.LA,
        (6, _) => PillowMode.RGBA,
        _ => PillowMode.RGB,
    };

    // The component count of the first start-of-frame marker (SOF0–SOF15 but DHT, JPG and DAC).
    static int JpegComponents(byte[] d)
    {
        for (int i = 2; i + 9 < d.Length;)
        {
            if (d[i] != 0xFF) { i++; continue; }
            byte marker = d[i + 1];
            if (marker is 0xFF) { i++; continue; }
            if (marker is 0xD8 or 0x01 or >= 0xD0 and <= 0xD7) { i += 2; continue; }
            int length = (d[i + 2] << 8) | d[i + 3];
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC) return d[i + 9];
            i += 2 + length;
        }
        return 3;
    }

    // Pillow opens a GIF whose (global) palette is all greys as mode L.
    static bool GifHasGreyPalette(byte[] d)
    {
        if (d.Length < 13 || (d[10] & 0x80) == 0) return false;
        int entries = 2 << (d[10] & 7);
        if (d.Length < 13 + entries * 3) return false;
        for (int i = 0; i < entries; i++)
        {
            int o = 13 + i * 3;
            if (d[o] != d[o + 1] || d[o] != d[o + 2]) return false;
        }
        return true;
    }
}

/// <summary>A decoded image whose first <see cref="Width"/>·<see cref="Height"/>·4 bytes of <see cref="Pixels"/>
/// (a borrowed buffer, maybe longer) are its RGBA pixels.</summary>
internal readonly record struct PooledImage(int Width, int Height, PillowMode Mode, byte[] Pixels);
