using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace ClipSharp.Imaging;

/// <summary>
/// A region of a resize, computed alone: Pillow resizes the whole image and CLIP keeps only the centre crop, but each
/// output pixel depends only on its own row's and column's coefficients, so resampling just the region's rows and
/// columns (from the input rows and columns they read) gives the same bytes in memory bounded by the region. A 1×25000
/// image at 224 is resized to 224×5,600,000 (5 GB) to keep 224×224 of it.
/// </summary>
internal static partial class PillowResize
{
    /// <summary>The region <paramref name="left"/>, <paramref name="top"/>, <paramref name="regionWidth"/> ×
    /// <paramref name="regionHeight"/> of <see cref="Bicubic"/>(src, width, height, outWidth, outHeight), byte for
    /// byte.
    /// With <paramref name="alpha"/> the image is premultiplied first and unpremultiplied after, as Pillow resizes RGBA
    /// and LA (only the pixels read are premultiplied; an image left at its size is copied untouched, as Pillow does).
    /// </summary>
    public static byte[] BicubicRegion(byte[] src, int width, int height, int outWidth, int outHeight,
        int left, int top, int regionWidth, int regionHeight, bool alpha = false)
    {
        CheckImage(src, width, height);
        return BicubicRegionOf(src, width, height, outWidth, outHeight, left, top, regionWidth, regionHeight, alpha);
    }

    /// <summary><see cref="BicubicRegion"/> of the image in the first width·height·4 bytes of <paramref name="src"/>
    /// (a pooled buffer may be longer).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe byte[] BicubicRegionOf(byte[] src, int width, int height, int outWidth, int outHeight,
        int left, int top, int regionWidth, int regionHeight, bool alpha = false)
    {
        if (width < 1 || height < 1 || src.LongLength < (long)width * height * 4)
            throw new ArgumentException($"{src.LongLength} bytes are no {width}×{height} RGBA image", nameof(src));
        CheckRegion(outWidth, outHeight, left, top, regionWidth, regionHeight);
        bool horizontal = width != outWidth, vertical = height != outHeight;
        alpha &= horizontal || vertical; // an image left at its size is copied untouched, as Pillow does

        var horiz = horizontal ? Shifted(Precompute(width, outWidth, left, regionWidth)) : null;
        var vert = vertical ? Precompute(height, outHeight, top, regionHeight) : null;
        // The input columns and rows the region reads.
        int firstColumn = horiz?.First ?? left, columns = horiz?.Span ?? regionWidth;
        int firstRow = vert is null ? top : vert.Start[0];
        int rowsRead = vert is null ? regionHeight : vert.Start[^1] + vert.Count[^1] - firstRow;

        // Horizontal pass over the rows read, into rows × regionWidth pixels (8-bit, as Pillow's intermediate).
        int rowBytes = regionWidth * 4;
        var temp = new byte[(long)rowsRead * rowBytes];
        fixed (byte* t = temp, image = src)
        {
            byte* first = image + ((long)firstRow * width + firstColumn) * 4; // the first pixel read
            if (horiz is not null && FourRows)
                HorizontalFourRows(first, width * 4, rowsRead, columns, horiz.Coefficients, alpha, t, rowBytes);
            else HorizontalRows(first, width * 4, rowsRead, columns, horiz?.Coefficients, alpha, t, rowBytes);
        }

        var dst = temp;
        if (vert is not null)
        {
            dst = new byte[(long)regionHeight * rowBytes];
            fixed (byte* t = temp, d = dst)
            fixed (int* w = vert.Weights)
                for (int y = 0; y < regionHeight; y++)
                {
                    byte* column = t + (long)(vert.Start[y] - firstRow) * rowBytes;
                    int* weights = w + (long)y * vert.KernelSize;
                    byte* output = d + (long)y * rowBytes;
                    int i = 0;
                    if (FourRows)
                        for (; i + 16 <= rowBytes; i += 16)
                            WeightedSum16(column + i, rowBytes, weights, vert.Count[y], output + i);
                    if (Avx2.IsSupported)
                        for (; i + 8 <= rowBytes; i += 8)
                            WeightedSum8(column + i, rowBytes, weights, vert.Count[y], output + i);
                    for (; i < rowBytes; i += 4) WeightedSum(column + i, rowBytes, weights, vert.Count[y], output + i);
                }
        }
        return alpha ? Unpremultiply(dst) : dst;
    }

    // One row at a time (a plain copy when the width is kept), each from its own copy when premultiplied.
    static unsafe void HorizontalRows(byte* first, long stride, int count, int columns, Coefficients? c, bool alpha,
        byte* output, int rowBytes)
    {
        var line = new byte[columns * 4];
        fixed (byte* l = line)
            for (int r = 0; r < count; r++)
            {
                byte* row = first + r * stride;
                if (alpha) row = Premultiplied(row, line, l);
                byte* target = output + (long)r * rowBytes;
                if (c is null) Buffer.MemoryCopy(row, target, rowBytes, rowBytes);
                else
                    fixed (int* w = c.Weights)
                        for (int x = 0; x < rowBytes / 4; x++)
                            WeightedSum(row + c.Start[x] * 4L, 4, w + (long)x * c.KernelSize, c.Count[x],
                                target + x * 4L);
            }
    }

    // Four rows at a time (AVX-512); a last group of fewer rows repeats its first.
    static unsafe void HorizontalFourRows(byte* first, long stride, int count, int columns, Coefficients c,
        bool alpha, byte* output, int rowBytes)
    {
        int lineBytes = columns * 4;
        var lines = new byte[4L * lineBytes]; // premultiplied copies
        var quad = new byte[16L * columns];
        var group = stackalloc byte*[4];
        fixed (byte* l = lines, q = quad)
            for (int r = 0; r < count; r += 4)
            {
                int n = Math.Min(4, count - r);
                for (int j = 0; j < 4; j++)
                {
                    group[j] = first + (r + Math.Min(j, n - 1)) * stride;
                    if (alpha) group[j] = Premultiplied(group[j], lines.AsSpan(j * lineBytes, lineBytes),
                        l + j * lineBytes);
                }
                Interleave(group, columns, q);
                HorizontalFour(q, c, rowBytes / 4, output + (long)r * rowBytes, rowBytes, n);
            }
    }

    // The row copied into line (at l) and premultiplied as Pillow premultiplies before resizing RGBA and LA.
    static unsafe byte* Premultiplied(byte* row, Span<byte> line, byte* l)
    {
        new ReadOnlySpan<byte>(row, line.Length).CopyTo(line);
        PremultiplyInPlace(line);
        return l;
    }

    /// <summary>The region of <see cref="Nearest"/>(src, width, height, outWidth, outHeight), byte for byte.</summary>
    public static byte[] NearestRegion(byte[] src, int width, int height, int outWidth, int outHeight,
        int left, int top, int regionWidth, int regionHeight)
    {
        CheckImage(src, width, height);
        CheckRegion(outWidth, outHeight, left, top, regionWidth, regionHeight);
        int[] xs = NearestTable(width, outWidth, left, regionWidth);
        int[] ys = NearestTable(height, outHeight, top, regionHeight);
        var dst = new byte[(long)regionWidth * regionHeight * 4];
        for (int y = 0; y < regionHeight; y++)
            for (int x = 0; x < regionWidth; x++)
                Array.Copy(src, ((long)ys[y] * width + xs[x]) * 4, dst, ((long)y * regionWidth + x) * 4, 4);
        return dst;
    }

    // The source index of outputs first … first + count − 1, advanced by repeated addition from 0 as Nearest does
    // (the rounding of the running sum decides boundary pixels, so the sum is run from the start, not multiplied out).
    static int[] NearestTable(int inSize, int outSize, int first, int count)
    {
        double scale = (double)inSize / outSize, o = scale * 0.5;
        var table = new int[count];
        for (int i = 0; i < first + count; i++, o += scale)
            if (i >= first) table[i - first] = Math.Clamp((int)o, 0, inSize - 1);
        return table;
    }

    static void CheckRegion(int outWidth, int outHeight, int left, int top, int regionWidth, int regionHeight)
    {
        if (outWidth < 1 || outHeight < 1 || regionWidth < 1 || regionHeight < 1 || left < 0 || top < 0
            || regionWidth > outWidth - left || regionHeight > outHeight - top
            || (long)regionWidth * regionHeight * 4 > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(left),
                $"No region {regionWidth}×{regionHeight} at ({left}, {top}) of a {outWidth}×{outHeight} resize");
    }

    static void PremultiplyInPlace(Span<byte> rgba)
    {
        for (int i = 0; i < rgba.Length; i += 4)
        {
            int a = rgba[i + 3];
            for (int c = 0; c < 3; c++) { int t = rgba[i + c] * a + 128; rgba[i + c] = (byte)((t + (t >> 8)) >> 8); }
        }
    }

    /// <summary>Horizontal coefficients with starts relative to the first input column read, and how many are read.
    /// </summary>
    sealed record ShiftedCoefficients(Coefficients Coefficients, int First, int Span);

    static ShiftedCoefficients Shifted(Coefficients c)
    {
        int first = c.Start[0], end = c.Start[^1] + c.Count[^1];
        var start = c.Start.Select(s => s - first).ToArray();
        return new ShiftedCoefficients(c with { Start = start }, first, end - first);
    }
}
