using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ClipSharp.Imaging;

/// <summary>The horizontal pass with AVX-512, four rows at once: the rows are interleaved pixel by pixel (16 bytes a
/// column), so each tap is one 512-bit multiply of sixteen byte lanes by one broadcast weight and nothing is summed
/// across lanes. The same 32-bit integer sums as Pillow's loop, so the same bytes.</summary>
internal static partial class PillowResize
{
    /// <summary>Whether <see cref="HorizontalFour"/> runs here.</summary>
    static bool FourRows => Avx512F.IsSupported;

    /// <summary>Pixel p of the four rows (<paramref name="columns"/> pixels each) to
    /// <paramref name="quad"/>[16p .. 16p + 16].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void Interleave(byte** rows, int columns, byte* quad)
    {
        byte* r0 = rows[0], r1 = rows[1], r2 = rows[2], r3 = rows[3];
        int p = 0;
        for (; p + 4 <= columns; p += 4)
        {
            var a = Sse2.LoadVector128((int*)(r0 + p * 4));
            var b = Sse2.LoadVector128((int*)(r1 + p * 4));
            var c = Sse2.LoadVector128((int*)(r2 + p * 4));
            var d = Sse2.LoadVector128((int*)(r3 + p * 4));
            var ab0 = Sse2.UnpackLow(a, b).AsInt64();
            var ab1 = Sse2.UnpackHigh(a, b).AsInt64();
            var cd0 = Sse2.UnpackLow(c, d).AsInt64();
            var cd1 = Sse2.UnpackHigh(c, d).AsInt64();
            long* q = (long*)(quad + p * 16);
            Sse2.Store(q, Sse2.UnpackLow(ab0, cd0));
            Sse2.Store(q + 2, Sse2.UnpackHigh(ab0, cd0));
            Sse2.Store(q + 4, Sse2.UnpackLow(ab1, cd1));
            Sse2.Store(q + 6, Sse2.UnpackHigh(ab1, cd1));
        }
        for (; p < columns; p++)
            for (int j = 0; j < 4; j++)
                ((uint*)quad)[p * 4 + j] = ((uint*)rows[j])[p];
    }

    /// <summary>The horizontal pass of <paramref name="count"/> (1–4) interleaved rows into
    /// <paramref name="output"/> (rows <paramref name="rowBytes"/> apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void HorizontalFour(byte* quad, Coefficients c, int outWidth, byte* output, int rowBytes, int count)
    {
        fixed (int* weights = c.Weights, start = c.Start, taps = c.Count)
            for (int x = 0; x < outWidth; x++)
            {
                var sum = Vector512.Create(1 << (PrecisionBits - 1));
                byte* input = quad + start[x] * 16L;
                int* w = weights + (long)x * c.KernelSize;
                for (int k = 0; k < taps[x]; k++)
                {
                    var pixels = Avx512F.ConvertToVector512Int32(Sse2.LoadVector128(input + k * 16));
                    sum = Avx512F.Add(sum, Avx512F.MultiplyLow(pixels, Vector512.Create(w[k])));
                }
                // clip8: negative sums to 0, sums of 256·2^22 and more to 255
                var clipped = Avx512F.Max(Avx512F.ShiftRightArithmetic(sum, PrecisionBits), Vector512<int>.Zero);
                var pixel = Avx512F.ConvertToVector128ByteWithSaturation(clipped.AsUInt32()).AsUInt32();
                for (int j = 0; j < count; j++) *(uint*)(output + j * (long)rowBytes + x * 4L) = pixel.GetElement(j);
            }
    }

    /// <summary>The vertical pass for sixteen byte lanes (four pixels) of an output row: <paramref name="n"/> input
    /// rows <paramref name="stride"/> bytes apart, one multiply by a broadcast weight each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void WeightedSum16(byte* input, int stride, int* w, int n, byte* output)
    {
        var sum = Vector512.Create(1 << (PrecisionBits - 1));
        for (int k = 0; k < n; k++, input += stride)
            sum = Avx512F.Add(sum, Avx512F.MultiplyLow(Avx512F.ConvertToVector512Int32(Sse2.LoadVector128(input)),
                Vector512.Create(w[k])));
        var clipped = Avx512F.Max(Avx512F.ShiftRightArithmetic(sum, PrecisionBits), Vector512<int>.Zero);
        Sse2.Store(output, Avx512F.ConvertToVector128ByteWithSaturation(clipped.AsUInt32()));
    }
}
