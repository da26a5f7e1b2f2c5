namespace ClipSharp.Imaging;

/// <summary>
/// Pillow's resampling, reproduced exactly: separable convolution with the bicubic kernel (a = −0.5) whose support
/// widens by the scale when downscaling (antialiasing), coefficients normalised then rounded to 22-bit fixed point,
/// a horizontal pass into an 8-bit intermediate over only the rows the vertical pass reads, then the vertical pass.
/// Nearest-neighbour (for palette and 1-bit images) samples at pixel centres.
/// </summary>
public static class PillowResize
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

    internal static Coefficients Precompute(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = BicubicSupport * filterScale;
        int kernelSize = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new int[outSize * kernelSize];
        var w = new double[kernelSize];
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            double sum = 0;
            for (int x = 0; x < xmax; x++) sum += w[x] = Bicubic((x + xmin - center + 0.5) * ss);
            for (int x = 0; x < xmax; x++)
            {
                double v = sum != 0 ? w[x] / sum : w[x];
                weights[xx * kernelSize + x] = (int)(v < 0 ? -0.5 + v * (1 << PrecisionBits) : 0.5 + v * (1 << PrecisionBits));
            }
            start[xx] = xmin;
            count[xx] = xmax;
        }
        return new Coefficients(kernelSize, start, count, weights);
    }

    static byte Clip8(int v) => v >= (1 << PrecisionBits << 8) ? (byte)255 : v <= 0 ? (byte)0 : (byte)(v >> PrecisionBits);

    /// <summary>Bicubic resize of 4-channel pixels (each channel independently), as Pillow's <c>Image.resize(size, BICUBIC)</c>.</summary>
    public static byte[] Bicubic(byte[] src, int width, int height, int outWidth, int outHeight)
    {
        if (width == outWidth && height == outHeight) return (byte[])src.Clone();
        var vert = Precompute(height, outHeight);
        // Only the input rows some output row reads are resampled horizontally.
        int firstRow = vert.Start[0], lastRow = vert.Start[outHeight - 1] + vert.Count[outHeight - 1];

        byte[] temp = src;
        int tempRowOffset = 0;
        if (width != outWidth)
        {
            var horiz = Precompute(width, outWidth);
            temp = new byte[(lastRow - firstRow) * outWidth * 4];
            for (int y = firstRow; y < lastRow; y++)
                HorizontalRow(src, (y * width) * 4, temp, ((y - firstRow) * outWidth) * 4, outWidth, horiz);
            tempRowOffset = firstRow;
            width = outWidth;
        }
        if (height == outHeight) return temp; // only the width changed: Pillow skips the vertical pass

        var dst = new byte[outWidth * outHeight * 4];
        int rowBytes = width * 4;
        for (int yy = 0; yy < outHeight; yy++)
        {
            int y0 = vert.Start[yy] - tempRowOffset, n = vert.Count[yy], k = yy * vert.KernelSize;
            int outBase = yy * rowBytes;
            for (int i = 0; i < rowBytes; i++)
            {
                int ss = 1 << (PrecisionBits - 1);
                for (int y = 0; y < n; y++) ss += temp[(y0 + y) * rowBytes + i] * vert.Weights[k + y];
                dst[outBase + i] = Clip8(ss);
            }
        }
        return dst;
    }

    static void HorizontalRow(byte[] src, int srcBase, byte[] dst, int dstBase, int outWidth, Coefficients c)
    {
        for (int xx = 0; xx < outWidth; xx++)
        {
            int x0 = c.Start[xx], n = c.Count[xx], k = xx * c.KernelSize;
            int s0 = 1 << (PrecisionBits - 1), s1 = s0, s2 = s0, s3 = s0;
            for (int x = 0; x < n; x++)
            {
                int p = srcBase + (x0 + x) * 4, wgt = c.Weights[k + x];
                s0 += src[p] * wgt; s1 += src[p + 1] * wgt; s2 += src[p + 2] * wgt; s3 += src[p + 3] * wgt;
            }
            int o = dstBase + xx * 4;
            dst[o] = Clip8(s0); dst[o + 1] = Clip8(s1); dst[o + 2] = Clip8(s2); dst[o + 3] = Clip8(s3);
        }
    }

    /// <summary>Nearest-neighbour resize as Pillow's NEAREST: pixel-centre sampling, the source coordinate advanced by
    /// repeated addition of the scale (its rounding decides boundary pixels, so it is reproduced, not simplified).</summary>
    public static byte[] Nearest(byte[] src, int width, int height, int outWidth, int outHeight)
    {
        var dst = new byte[outWidth * outHeight * 4];
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
                Buffer.BlockCopy(src, (ys[y] * width + xs[x]) * 4, dst, (y * outWidth + x) * 4, 4);
        return dst;
    }

    /// <summary>RGBA → RGBa as Pillow premultiplies: c·a/255 rounded.</summary>
    public static byte[] Premultiply(byte[] rgba)
    {
        var o = (byte[])rgba.Clone();
        for (int i = 0; i < o.Length; i += 4)
        {
            int a = o[i + 3];
            for (int c = 0; c < 3; c++) { int t = o[i + c] * a + 128; o[i + c] = (byte)((t + (t >> 8)) >> 8); }
        }
        return o;
    }

    /// <summary>RGBa → RGBA as Pillow unpremultiplies: c·255/a, clipped; alpha 0 and 255 left alone.</summary>
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
