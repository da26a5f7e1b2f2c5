using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
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

    /// <summary>The largest output size N: over four times the largest released resolution (448), and a [3, N, N]
    /// float tensor of 48 MB.</summary>
    public const int MaxSize = 2048;

    /// <summary>The longest side a resize target may have: Pillow's own bound for an upscaled side (it refuses to
    /// allocate its coefficients past int.MaxValue bytes: 5 taps of 8 bytes each).</summary>
    public const int MaxResizedSide = int.MaxValue / (5 * sizeof(double));

    public int Size { get; } = size is >= 1 and <= MaxSize ? size
        : throw new ImageException($"The preprocess size {size} is out of range 1–{MaxSize}");
    public long MaxPixels { get; } = maxPixels is >= 1 and <= ImageLoader.MaxPixelsLimit ? maxPixels
        : throw new ImageException(
            $"The pixel limit {maxPixels:N0} is out of range 1–{ImageLoader.MaxPixelsLimit:N0}");

    /// <summary>The image after resize, crop and RGB conversion: [N, N, 3] bytes, as the official pipeline's PIL
    /// image.</summary>
    public byte[] Pixels(string path) => Guarded(path, () => Pixels(ImageLoader.ReadFile(path), path));

    /// <summary>The same from an image file's bytes already in memory (<paramref name="name"/> for messages).
    /// </summary>
    public byte[] Pixels(byte[] encoded, string name) => Guarded(name, () =>
        ImageLoader.DecodePooled(encoded, name, MaxPixels, Resamples, image => Pixels(image))
        ?? Pixels(ImageLoader.Decode(encoded, name, MaxPixels), name));

    public byte[] Pixels(RgbaImage image) => Pixels(image, "(in memory)");

    /// <summary>Resize of the short side to N, centre crop N×N, RGB. Only the crop is resampled (see
    /// <see cref="PillowResize.BicubicRegion"/>): the same bytes as resizing all and cropping, in bounded memory.
    /// </summary>
    public byte[] Pixels(RgbaImage image, string name)
    {
        var (w, h) = (image.Width, image.Height);
        if (w < 1 || h < 1 || image.Pixels.LongLength != (long)w * h * 4)
            throw new ImageException($"Image '{name}' has {image.Pixels.LongLength:N0} bytes for {w}×{h} RGBA pixels");
        var (newW, newH, left, top) = Geometry(w, h) ?? throw TooExtreme(w, h, name);
        return ToRgb(image.Mode switch
        {
            PillowMode.P or PillowMode.One =>
                PillowResize.NearestRegion(image.Pixels, w, h, newW, newH, left, top, Size, Size),
            _ => PillowResize.BicubicRegion(image.Pixels, w, h, newW, newH, left, top, Size, Size,
                alpha: image.Mode is PillowMode.RGBA or PillowMode.LA),
        });
    }

    // Whether Pixels(PooledImage) takes an image: not the nearest-neighbour modes, not a refused aspect ratio (the
    // whole-image path reports a broken file before that).
    bool Resamples(int w, int h, PillowMode mode) =>
        mode is not (PillowMode.P or PillowMode.One) && Geometry(w, h) is not null;

    // The same as Pixels(RgbaImage) from a borrowed buffer.
    byte[] Pixels(PooledImage image)
    {
        var (w, h, pixels) = (image.Width, image.Height, image.Pixels);
        var (newW, newH, left, top) = Geometry(w, h)!.Value;
        return ToRgb(PillowResize.BicubicRegionOf(pixels, w, h, newW, newH, left, top, Size, Size,
            alpha: image.Mode is PillowMode.RGBA or PillowMode.LA));
    }

    // torchvision: the short side becomes N, the long side int(N·long/short); the crop's offsets round half to
    // even. Null past Pillow's largest side.
    (int NewWidth, int NewHeight, int Left, int Top)? Geometry(int w, int h)
    {
        var (newW, newH) = Resized(w, h);
        if (Math.Max(newW, newH) > MaxResizedSide) return null;
        int top = (int)Math.Round((newH - Size) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((newW - Size) / 2.0, MidpointRounding.ToEven);
        return ((int)newW, (int)newH, left, top);
    }

    (long Width, long Height) Resized(int w, int h) => w <= h
        ? (Size, (long)((double)Size * h / w))
        : ((long)((double)Size * w / h), Size);

    ImageException TooExtreme(int w, int h, string name)
    {
        var (newW, newH) = Resized(w, h);
        return new ImageException($"Image '{name}' is {w}×{h}: resizing its short side to {Size} makes it " +
            $"{newW:N0}×{newH:N0}, over Pillow's limit of {MaxResizedSide:N0} pixels a side " +
            "(too extreme an aspect ratio)");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    byte[] ToRgb(byte[] crop)
    {
        var rgb = new byte[Size * Size * 3];
        for (int i = 0, d = 0; d < rgb.Length; i += 4, d += 3)
        {
            rgb[d] = crop[i]; rgb[d + 1] = crop[i + 1]; rgb[d + 2] = crop[i + 2];
        }
        return rgb;
    }

    // Anything but an ImageException escaping the decoder or the resize is still this file's failure: name the file.
    static byte[] Guarded(string name, Func<byte[]> work)
    {
        try { return work(); }
        catch (Exception e) when (e is not ClipSharpException and not OperationCanceledException)
        {
            throw new ImageException(
                $"Image '{name}' could not be preprocessed ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <summary>The normalised tensor [3, N, N] of one image.</summary>
    public Tensor Preprocess(string path) => ToTensor(Pixels(path));

    public Tensor ToTensor(byte[] rgb)
    {
        if (rgb.Length != 3 * Size * Size)
            throw new ArgumentException($"{rgb.Length} bytes are no {Size}×{Size} RGB image", nameof(rgb));
        var data = new float[3 * Size * Size];
        Normalize(rgb, data);
        return tensor(data, [3, Size, Size]);
    }

    // HWC bytes -> CHW floats: /255, then (x - mean) / std per channel, looked up from the 3×256 possible values.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Normalize(byte[] rgb, Span<float> chw)
    {
        int plane = rgb.Length / 3;
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++)
                chw[c * plane + i] = Normalized[c * 256 + rgb[i * 3 + c]];
    }

    static readonly float[] Normalized =
        [.. Enumerable.Range(0, 3 * 256).Select(i => (i % 256 / 255f - Mean[i / 256]) / Std[i / 256])];

    /// <summary>The normalised batch [n, 3, N, N] of images as <see cref="Pixels(RgbaImage)"/> returns them.</summary>
    public Tensor Stack(IReadOnlyList<byte[]> pixels)
    {
        int plane = Size * Size;
        if ((long)pixels.Count * 3 * plane > Array.MaxLength)
            throw new ImageException(
                $"A batch of {pixels.Count:N0} images at {Size}×{Size} is too large for one tensor");
        if (pixels.FirstOrDefault(p => p.Length != 3 * plane) is { } odd)
            throw new ArgumentException($"{odd.Length} bytes are no {Size}×{Size} RGB image", nameof(pixels));
        // Normalised straight into the tensor's own memory: no managed float array to fill and copy (19 MB a batch
        // of 32 at 224², a fresh large-object allocation each time).
        var batch = empty([pixels.Count, 3, Size, Size], ScalarType.Float32);
        Parallel.For(0, pixels.Count, j =>
        {
            using var image = batch[j]; // a view of image j's 3·N² floats
            Normalize(pixels[j], MemoryMarshal.Cast<byte, float>(image.bytes));
        });
        return batch;
    }

    /// <summary>A batch [n, 3, N, N] of the images that could be used, decoded in parallel, and one error per file that
    /// could not (whatever went wrong with it). <paramref name="progress"/> gets the count of files done, one call
    /// at a time, in increasing order.</summary>
    public PreprocessedBatch Batch(IReadOnlyList<string> paths, int? threads = null, Action<int>? progress = null)
    {
        var pixels = new byte[paths.Count][];
        var errors = new string?[paths.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount };
        int done = 0;
        var gate = new Lock();
        Parallel.For(0, paths.Count, options, i =>
        {
            try { pixels[i] = Pixels(paths[i]); }
            catch (ClipSharpException e) { errors[i] = e.Message; }
            if (progress is not null)
                lock (gate) progress(++done);
        });
        var good = Enumerable.Range(0, paths.Count).Where(i => errors[i] is null).ToList();
        return new PreprocessedBatch(
            Stack([.. good.Select(i => pixels[i])]),
            [.. good.Select(i => paths[i])],
            [.. Enumerable.Range(0, paths.Count).Where(i => errors[i] is not null)
                .Select(i => new ImageError(paths[i], errors[i]!))]);
    }
}

/// <summary>A file that could not be preprocessed, and why.</summary>
public sealed record ImageError(string Path, string Message);

/// <summary>Preprocessed images [n, 3, N, N] in the order of <see cref="Paths"/>, plus the files that failed.</summary>
public sealed record PreprocessedBatch(Tensor Images, IReadOnlyList<string> Paths, IReadOnlyList<ImageError> Errors)
    : IDisposable
{
    public void Dispose() => Images.Dispose();
}
