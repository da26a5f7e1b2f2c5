using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ClipSharp.Imaging;

/// <summary>
/// Pillow's resampling, reproduced exactly: separable convolution with the bicubic kernel (a = −0.5) whose support
/// widens by the scale when downscaling (antialiasing), coefficients normalised then rounded to 22-bit fixed point,
/// a horizontal pass into an 8-bit intermediate over only the rows the vertical pass reads, then the vertical pass.
/// Nearest-neighbour (for palette and 1-bit images) samples at pixel centres.
/// </summary>
internal static partial class PillowResize
{
    const int PrecisionBits = 32 - 8 - 2;
    const double BicubicSupport = 2.0;

    static double Bicubic(double x)
    {
        const double a = -0.5;
        if (x < 0) x = -x;
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }

    /// <summary>For each output index: the first input index, how many inputs, and their fixed-point weights.</summary>
    internal sealed record Coefficients(int KernelSize, int[] Start, int[] Count, int[] Weights);

    /// <summary>Pillow's coefficients for output indices <paramref name="first"/> … first + count − 1 of a resize
    /// from <paramref name="inSize"/> to <paramref name="outSize"/> (all of them by default): each index's
    /// weights depend on that index alone, so a range gives the same numbers as the whole.</summary>
    internal static Coefficients Precompute(int inSize, int outSize, int first = 0, int count = -1)
    {
        if (count < 0) count = outSize;
        if (inSize < 1 || outSize < 1 || first < 0 || count > outSize - first)
            throw new ArgumentOutOfRangeException(nameof(first),
                $"No range {first}+{count} of a resize {inSize} → {outSize}");
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = BicubicSupport * filterScale;
        int kernelSize = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[count];
        var counts = new int[count];
        var weights = new int[checked(count * kernelSize)];
        var w = new double[kernelSize];
        for (int i = 0; i < count; i++)
        {
            int xx = first + i;
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            double sum = 0;
            for (int x = 0; x < xmax; x++) sum += w[x] = Bicubic((x + xmin - center + 0.5) * ss);
            for (int x = 0; x < xmax; x++)
            {
                double v = sum != 0 ? w[x] / sum : w[x];
                weights[i * kernelSize + x] =
                    (int)(v < 0 ? -0.5 + v * (1 << PrecisionBits) : 0.5 + v * (1 << PrecisionBits));
            }
            start[i] = xmin;
            counts[i] = xmax;
        }
        return new Coefficients(kernelSize, start, counts, weights);
    }

    static byte Clip8(int v) =>
        v >= (1 << PrecisionBits << 8) ? (byte)255 : v <= 0 ? (byte)0 : (byte)(v >> PrecisionBits);

    /// <summary>Bicubic resize of 4-channel pixels (each channel independently), as Pillow's
    /// <c>Image.resize(size, BICUBIC)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // SIMD loops: skip the slow first JIT tier
    public static unsafe byte[] Bicubic(byte[] src, int width, int height, int outWidth, int outHeight)
    {
        CheckImage(src, width, height);
        CheckOutput(outWidth, outHeight);
        if (width == outWidth && height == outHeight) return (byte[])src.Clone();
        var vert = Precompute(height, outHeight);
        // Only the input rows some output row reads are resampled horizontally.
        int firstRow = vert.Start[0], lastRow = vert.Start[outHeight - 1] + vert.Count[outHeight - 1];

        byte[] temp = src;
        int tempRowOffset = 0;
        if (width != outWidth)
        {
            var horiz = Precompute(width, outWidth);
            temp = new byte[(long)(lastRow - firstRow) * outWidth * 4];
            for (int y = firstRow; y < lastRow; y++)
                HorizontalRow(src, (long)y * width * 4, temp, (long)(y - firstRow) * outWidth * 4, outWidth, horiz);
            tempRowOffset = firstRow;
            width = outWidth;
        }
        if (height == outHeight) return temp; // only the width changed: Pillow skips the vertical pass

        var dst = new byte[(long)outWidth * outHeight * 4];
        int rowBytes = width * 4;
        fixed (byte* t = temp, d = dst)
        fixed (int* w = vert.Weights)
            for (int yy = 0; yy < outHeight; yy++)
            {
                byte* column = t + (long)(vert.Start[yy] - tempRowOffset) * rowBytes;
                int* weights = w + yy * vert.KernelSize;
                int i = 0;
                if (Avx2.IsSupported) // two pixels (eight byte lanes) share each row weight
                    for (; i + 8 <= rowBytes; i += 8)
                        WeightedSum8(column + i, rowBytes, weights, vert.Count[yy], d + (long)yy * rowBytes + i);
                for (; i < rowBytes; i += 4) // four bytes at a time, each byte its own sum
                    WeightedSum(column + i, rowBytes, weights, vert.Count[yy], d + (long)yy * rowBytes + i);
            }
        return dst;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void HorizontalRow(byte[] src, long srcBase, byte[] dst, long dstBase, int outWidth, Coefficients c)
    {
        fixed (byte* s = src, d = dst)
        fixed (int* w = c.Weights)
            for (int xx = 0; xx < outWidth; xx++)
                WeightedSum(s + srcBase + c.Start[xx] * 4L, 4, w + (long)xx * c.KernelSize, c.Count[xx],
                    d + dstBase + xx * 4L);
    }

    /// <summary><see cref="WeightedSum"/> for eight byte lanes at once (AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void WeightedSum8(byte* input, int stride, int* w, int n, byte* output)
    {
        var sum = Vector256.Create(1 << (PrecisionBits - 1));
        for (int x = 0; x < n; x++, input += stride)
            sum = Avx2.Add(sum, Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(input), Vector256.Create(w[x])));
        var shifted = Avx2.ShiftRightArithmetic(sum, PrecisionBits);
        var words = Sse2.PackSignedSaturate(shifted.GetLower(), shifted.GetUpper());
        *(ulong*)output = Sse2.PackUnsignedSaturate(words, words).AsUInt64().ToScalar();
    }

    /// <summary>out[0..4] = clip8(½ + Σₓ in[x·stride .. +4] · w[x]) for four byte lanes: Pillow's inner loop, in
    /// one SSE4.1 register where available (the same 32-bit integer arithmetic, so the same bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void WeightedSum(byte* input, int stride, int* w, int n, byte* output)
    {
        const int half = 1 << (PrecisionBits - 1);
        if (Avx2.IsSupported && stride == 4)
        {
            // Two adjacent input pixels per step: lanes 0-3 take w[x], lanes 4-7 w[x+1]; the halves are added at the
            // end.
            var pair = Vector256<int>.Zero;
            int x = 0;
            for (; x + 1 < n; x += 2, input += 8)
                pair = Avx2.Add(pair, Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(input),
                    Vector256.Create(Vector128.Create(w[x]), Vector128.Create(w[x + 1]))));
            var total = Sse2.Add(Sse2.Add(pair.GetLower(), pair.GetUpper()), Vector128.Create(half));
            if (x < n)
                total = Sse2.Add(total,
                    Sse41.MultiplyLow(Sse41.ConvertToVector128Int32(input), Vector128.Create(w[x])));
            var packed = Sse2.PackSignedSaturate(Sse2.ShiftRightArithmetic(total, PrecisionBits), Vector128<int>.Zero);
            *(uint*)output = Sse2.PackUnsignedSaturate(packed, packed).AsUInt32().ToScalar();
            return;
        }
        if (Sse41.IsSupported)
        {
            var sum = Vector128.Create(half);
            for (int x = 0; x < n; x++, input += stride)
                sum = Sse2.Add(sum, Sse41.MultiplyLow(Sse41.ConvertToVector128Int32(input), Vector128.Create(w[x])));
            var shifted = Sse2.ShiftRightArithmetic(sum, PrecisionBits);
            var words = Sse2.PackSignedSaturate(shifted, shifted); // the saturating packs clip to 0…255
            *(uint*)output = Sse2.PackUnsignedSaturate(words, words).AsUInt32().ToScalar();
            return;
        }
        int s0 = half, s1 = half, s2 = half, s3 = half;
        for (int x = 0; x < n; x++, input += stride)
        {
            int wgt = w[x];
            s0 += input[0] * wgt; s1 += input[1] * wgt; s2 += input[2] * wgt; s3 += input[3] * wgt;
        }
        output[0] = Clip8(s0); output[1] = Clip8(s1); output[2] = Clip8(s2); output[3] = Clip8(s3);
    }

    /// <summary>The pixels must be width × height × 4 bytes.</summary>
    static void CheckImage(byte[] src, int width, int height)
    {
        if (width < 1 || height < 1 || src.LongLength != (long)width * height * 4)
            throw new ArgumentException($"{src.LongLength} bytes are no {width}×{height} RGBA image", nameof(src));
    }

    /// <summary>A whole resized image must fit one array (a crop needs only <see cref="BicubicRegion"/>).</summary>
    static void CheckOutput(int outWidth, int outHeight)
    {
        if (outWidth < 1 || outHeight < 1)
            throw new ArgumentOutOfRangeException(nameof(outWidth), $"No resize to {outWidth}×{outHeight}");
        if ((long)outWidth * outHeight * 4 > Array.MaxLength)
            throw new ImageException($"A resize to {outWidth}×{outHeight} is over {Array.MaxLength:N0} bytes; " +
                "resize only the region needed (BicubicRegion, NearestRegion)");
    }

    /// <summary>Nearest-neighbour resize as Pillow's NEAREST: pixel-centre sampling, the source coordinate advanced
    /// by repeated addition of the scale (its rounding decides boundary pixels, so it is reproduced, not simplified).
    /// </summary>
    public static byte[] Nearest(byte[] src, int width, int height, int outWidth, int outHeight)
    {
        CheckImage(src, width, height);
        CheckOutput(outWidth, outHeight);
        var dst = new byte[(long)outWidth * outHeight * 4];
        int[] Table(int inSize, int outSize)
        {
            double scale = (double)inSize / outSize, o = scale * 0.5;
            var t = new int[outSize];
            for (int i = 0; i < outSize; i++, o += scale) t[i] = Math.Clamp((int)o, 0, inSize - 1);
            return t;
        }
        int[] xs = Table(width, outWidth), ys = Table(height, outHeight);
        for (int y = 0; y < outHeight; y++)
            for (int x = 0; x < outWidth; x++)
                Array.Copy(src, ((long)ys[y] * width + xs[x]) * 4, dst, ((long)y * outWidth + x) * 4, 4);
        return dst;
    }

    /// <summary>RGBA → RGBa as Pillow premultiplies: c·a/255 rounded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static byte[] Premultiply(byte[] rgba)
    {
        var o = (byte[])rgba.Clone();
        PremultiplyInPlace(o);
        return o;
    }

    /// <summary>RGBa → RGBA as Pillow unpremultiplies: c·255/a, clipped; alpha 0 and 255 left alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static byte[] Unpremultiply(byte[] rgba)
    {
        var o = (byte[])rgba.Clone();
        for (int i = 0; i < o.Length; i += 4)
        {
            int a = o[i + 3];
            if (a is 0 or 255) continue;
            for (int c = 0; c < 3; c++) o[i + c] = (byte)Math.Min(255, 255 * o[i + c] / a);
        }
        return o;
    }
}
