using static TorchSharp.torch;

namespace ClipSharp.Imaging;

/// <summary>
/// The official CLIP preprocessing: Resize(N, bicubic) of the short side (long side truncated), CenterCrop(N) with
/// round-half-even offsets, convert("RGB"), /255, normalise with CLIP's mean and std. Batches decode in parallel.
/// </summary>
public sealed class ClipPreprocessor(int size = 224, long maxPixels = ImageLoader.DefaultMaxPixels)
{
    public static readonly float[] Mean = [0.48145466f, 0.4578275f, 0.40821073f];
    public static readonly float[] Std = [0.26862954f, 0.26130258f, 0.27577711f];

    public int Size { get; } = size;
    public long MaxPixels { get; } = maxPixels;

    /// <summary>The image after resize, crop and RGB conversion: [N, N, 3] bytes, as the official pipeline's PIL image.</summary>
    public byte[] Pixels(string path) => Pixels(ImageLoader.Load(path, MaxPixels));

    /// <summary>The same from an image file's bytes already in memory (<paramref name="name"/> for messages).</summary>
    public byte[] Pixels(byte[] encoded, string name) => Pixels(ImageLoader.Decode(encoded, name, MaxPixels));

    public byte[] Pixels(RgbaImage image)
    {
        var (w, h) = (image.Width, image.Height);
        // torchvision: the short side becomes N, the long side int(N·long/short).
        var (newW, newH) = w <= h ? (Size, (int)((double)Size * h / w)) : ((int)((double)Size * w / h), Size);
        var resized = image.Mode switch
        {
            PillowMode.P or PillowMode.One => PillowResize.Nearest(image.Pixels, w, h, newW, newH),
            PillowMode.RGBA or PillowMode.LA => PillowResize.Unpremultiply(PillowResize.Bicubic(PillowResize.Premultiply(image.Pixels), w, h, newW, newH)),
            _ => PillowResize.Bicubic(image.Pixels, w, h, newW, newH),
        };
        int top = (int)Math.Round((newH - Size) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((newW - Size) / 2.0, MidpointRounding.ToEven);
        var rgb = new byte[Size * Size * 3];
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                int s = ((y + top) * newW + x + left) * 4, d = (y * Size + x) * 3;
                rgb[d] = resized[s]; rgb[d + 1] = resized[s + 1]; rgb[d + 2] = resized[s + 2];
            }
        return rgb;
    }

    /// <summary>The normalised tensor [3, N, N] of one image.</summary>
    public Tensor Preprocess(string path) => ToTensor(Pixels(path));

    public Tensor ToTensor(byte[] rgb)
    {
        var data = new float[3 * Size * Size];
        Normalize(rgb, data);
        return tensor(data, [3, Size, Size]);
    }

    // HWC bytes -> CHW floats: /255, then (x - mean) / std per channel, looked up from the 3×256 possible values.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    static void Normalize(byte[] rgb, Span<float> chw)
    {
        int plane = rgb.Length / 3;
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++)
                chw[c * plane + i] = Normalized[c * 256 + rgb[i * 3 + c]];
    }

    static readonly float[] Normalized = [.. Enumerable.Range(0, 3 * 256).Select(i => (i % 256 / 255f - Mean[i / 256]) / Std[i / 256])];

    /// <summary>The normalised batch [n, 3, N, N] of images as <see cref="Pixels(RgbaImage)"/> returns them.</summary>
    public Tensor Stack(IReadOnlyList<byte[]> pixels)
    {
        int plane = Size * Size;
        var data = new float[pixels.Count * 3 * plane];
        Parallel.For(0, pixels.Count, j => Normalize(pixels[j], data.AsSpan(j * 3 * plane, 3 * plane)));
        return tensor(data, [pixels.Count, 3, Size, Size]);
    }

    /// <summary>A batch [n, 3, N, N] of the images that could be used, decoded in parallel, and one error per file that could not.</summary>
    public PreprocessedBatch Batch(IReadOnlyList<string> paths, int? threads = null)
    {
        var pixels = new byte[paths.Count][];
        var errors = new string?[paths.Count];
        Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount }, i =>
        {
            try { pixels[i] = Pixels(paths[i]); }
            catch (ImageException e) { errors[i] = e.Message; }
        });
        var good = Enumerable.Range(0, paths.Count).Where(i => errors[i] is null).ToList();
        return new PreprocessedBatch(
            Stack([.. good.Select(i => pixels[i])]),
            [.. good.Select(i => paths[i])],
            [.. Enumerable.Range(0, paths.Count).Where(i => errors[i] is not null).Select(i => new ImageError(paths[i], errors[i]!))]);
    }
}

/// <summary>A file that could not be preprocessed, and why.</summary>
public sealed record ImageError(string Path, string Message);

/// <summary>Preprocessed images [n, 3, N, N] in the order of <see cref="Paths"/>, plus the files that failed.</summary>
public sealed record PreprocessedBatch(Tensor Images, IReadOnlyList<string> Paths, IReadOnlyList<ImageError> Errors) : IDisposable
{
    public void Dispose() => Images.Dispose();
}
