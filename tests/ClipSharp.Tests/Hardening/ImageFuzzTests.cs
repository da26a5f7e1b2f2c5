using System.Diagnostics;
using ClipSharp.Imaging;
using SkiaSharp;

namespace ClipSharp.Tests.Hardening;

/// <summary>Bounded, seeded mutation fuzzing of the decode + preprocess path: thousands of mutated PNG, JPEG and GIF
/// files may fail only with an ImageException naming the file, never crash, hang or leak another exception type.
/// </summary>
public class ImageFuzzTests
{
    const int Seed = 20261127, Iterations = 3000;

    static readonly byte[][] Tokens =
    [
        "IHDR"u8.ToArray(), "IDAT"u8.ToArray(), "IEND"u8.ToArray(), "PLTE"u8.ToArray(), "tRNS"u8.ToArray(),
        [0xFF, 0xD8], [0xFF, 0xD9], [0xFF, 0xC0, 0x00, 0x11, 0x08], [0xFF, 0xDA], [0xFF, 0xC4], [0xFF, 0xFF, 0xFF],
        "GIF89a"u8.ToArray(), [0x2C], [0x21, 0xF9, 0x04], [0x3B], [0, 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF],
    ];

    [Fact]
    public void Mutated_png_jpeg_and_gif_files_fail_only_with_image_errors()
    {
        var make = new Random(Seed);
        var seeds = new (string Name, byte[] Bytes)[]
        {
            ("rgba.png", ImageSamples.Png(12, 9, make)),
            ("grey.png", ImageSamples.Png(9, 12, make, SKColorType.Gray8)),
            ("rgb.jpg", ImageSamples.Jpeg(16, 12, make)),
            ("grey.jpg", ImageSamples.Jpeg(8, 8, make, SKColorType.Gray8)),
            ("palette.gif", ImageSamples.Gif(10, 7, make)),
        };
        var preprocessor = new ClipPreprocessor(224, maxPixels: 4_000_000);
        foreach (var (name, bytes) in seeds) Assert.Equal(224 * 224 * 3, preprocessor.Pixels(bytes, name).Length);

        var random = new Random(Seed);
        var mutator = new Mutator(random, Tokens, HeaderField);
        var unexpected = new List<string>();
        int refused = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Iterations; i++)
        {
            var (name, original) = seeds[i % seeds.Length];
            string label = $"{name}#{i}";
            var mutated = mutator.Mutate(original);
            try { Assert.Equal(224 * 224 * 3, preprocessor.Pixels(mutated, label).Length); }
            catch (ImageException e)
            {
                refused++;
                // The catch-all that names the file is a last resort: it must not be what handles fuzzed input.
                if (!e.Message.StartsWith($"Image '{label}'") || e.Message.Contains("could not be preprocessed ("))
                    unexpected.Add(e.Message);
            }
            catch (Exception e) { unexpected.Add($"{label}: {e.GetType().Name}: {e.Message}"); }
        }
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected.Take(10)));
        Assert.InRange(refused, Iterations / 10, Iterations - Iterations / 20); // the mutations reach both outcomes
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"took {clock.Elapsed}");
    }

    // Width and height in the PNG header (with its CRC fixed, so the decoder believes them), the JPEG frame header, or
    // the GIF screen and image descriptors, set to extreme values.
    static byte[]? HeaderField(byte[] data, Random random)
    {
        if (data.Length >= 33 && data[12] == 'I' && data[13] == 'H' && data[14] == 'D' && data[15] == 'R')
        {
            WriteBig(data, 16 + 4 * random.Next(2), Mutator.Extreme(random), 4);
            WriteBig(data, 29, Crc32(data.AsSpan(12, 17)), 4);
            return data;
        }
        for (int i = 0; i + 9 < data.Length; i++)
            if (data[i] == 0xFF && data[i + 1] is 0xC0 or 0xC2)
            {
                WriteBig(data, i + 5 + 2 * random.Next(2), Mutator.Extreme(random), 2);
                return data;
            }
        if (data.Length >= 35 && data[0] == 'G')
        {
            // The screen size, or the image descriptor's (after the 4-colour palette).
            int at = random.Next(2) == 0 ? 6 : 25 + 5;
            int field = at + 2 * random.Next(2); // width or height, little-endian
            uint v = Mutator.Extreme(random);
            data[field] = (byte)v;
            data[field + 1] = (byte)(v >> 8);
            return data;
        }
        return null;
    }

    static void WriteBig(byte[] data, int at, uint value, int width)
    {
        for (int k = 0; k < width; k++) data[at + k] = (byte)(value >> (8 * (width - 1 - k)));
    }

    static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320 & (0 - (crc & 1)));
        }
        return ~crc;
    }
}
