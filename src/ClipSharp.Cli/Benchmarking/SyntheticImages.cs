using System.Globalization;
using SkiaSharp;

namespace ClipSharp.Cli.Benchmarking;

/// <summary>A stand-in for the Kaggle set when it is not here: 1024×1024 PNGs of soft shapes with mild noise (so they
/// compress like photographs, ~2 MB each; RGB, as the Kaggle faces), and a labels.csv. Made once per folder;
/// deterministic.</summary>
public static class SyntheticImages
{
    public const int Size = 1024;

    /// <summary>Makes the images that are missing (image i is always the same picture) and a labels.csv whose first
    /// rows are the first <paramref name="count"/> images.</summary>
    public static string Ensure(string directory, int count)
    {
        Directory.CreateDirectory(directory);
        Parallel.For(0, count, i =>
        {
            string path = Path.Combine(directory, Name(i));
            if (!File.Exists(path)) AtomicFile.Write(path, stream => Draw(i).SaveTo(stream));
        });
        string labels = "file,label\n" + string.Concat(Enumerable.Range(0, count).Select(i => $"{Name(i)},{i % 2}\n"));
        string labelsPath = Path.Combine(directory, "labels.csv");
        // A longer list that starts with these rows is kept: a smaller run (a test's) must not shrink it.
        if (!File.Exists(labelsPath) || !File.ReadAllText(labelsPath).StartsWith(labels, StringComparison.Ordinal))
            AtomicFile.WriteAllText(labelsPath, labels);
        return directory;
    }

    public static IReadOnlyList<string> Paths(string directory, int count) =>
        [.. Enumerable.Range(0, count).Select(i => Path.Combine(directory, Name(i)))];

    static string Name(int i) => $"synthetic-{i.ToString("D4", CultureInfo.InvariantCulture)}.png";

    static SKData Draw(int seed)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(Size, Size, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(RandomColor(random));
            using var paint = new SKPaint { IsAntialias = true };
            for (int k = 0; k < 12; k++)
            {
                paint.Color = RandomColor(random).WithAlpha((byte)random.Next(90, 220));
                canvas.DrawCircle(random.Next(Size), random.Next(Size), random.Next(40, 400), paint);
            }
        }
        var pixels = bitmap.GetPixelSpan().ToArray();
        for (int p = 0; p < pixels.Length; p += 4)
            for (int c = 0; c < 3; c++) pixels[p + c] = (byte)Math.Clamp(pixels[p + c] + random.Next(-6, 7), 0, 255);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        return bitmap.Encode(SKEncodedImageFormat.Png, 6);
    }

    static SKColor RandomColor(Random random) =>
        new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
}
