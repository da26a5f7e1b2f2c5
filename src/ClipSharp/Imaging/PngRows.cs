using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ClipSharp.Imaging;

/// <summary>Undoes PNG's row filters (None, Sub, Up, Average, Paeth; PNG spec §9) and writes RGBA rows. RGB and RGBA
/// rows are unfiltered pixel by pixel straight into the RGBA target, whose previous row is the "up" row; grey rows
/// are unfiltered in place, then expanded. The row loops are compiled fully optimised on first use: tiered
/// compilation ran them unoptimised (Load and Widen not inlined) for a process's first images, which took as long as
/// the row code of all later images of a 100-image evaluation.</summary>
internal static unsafe class PngRows
{
    const byte None = 0, Sub = 1, Up = 2, Average = 3, Paeth = 4;

    /// <summary>Unfilters <paramref name="height"/> rows of 1 + width·channels bytes from <paramref name="rows"/>
    /// (with at least 4 spare bytes after them) into <paramref name="rgba"/>: false on a filter byte over 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryUnfilter(byte[] rows, int width, int height, int channels, Span<byte> rgba)
    {
        long rowBytes = 1 + (long)width * channels, stride = (long)width * 4;
        if (channels is < 1 or > 4 || rows.LongLength < height * rowBytes + 4 || rgba.Length < height * stride)
            return false;
        // The row above the first one is all zeros.
        byte[] zeros = ArrayPool<byte>.Shared.Rent((int)stride);
        Array.Clear(zeros, 0, (int)stride);
        try
        {
            fixed (byte* source = rows)
            fixed (byte* target = rgba)
            fixed (byte* zero = zeros)
            {
                for (int y = 0; y < height; y++)
                {
                    byte* row = source + y * rowBytes;
                    byte* output = target + y * stride;
                    bool known = channels >= 3
                        ? ColourRow(row[0], row + 1, output, y == 0 ? zero : output - stride, width, channels)
                        : GreyRow(row[0], row + 1, y == 0 ? zero : row + 1 - rowBytes, width, channels, output);
                    if (!known) return false;
                }
            }
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(zeros);
        }
    }

    // One RGB or RGBA row: every pixel is read as four bytes (for RGB the fourth belongs to the next pixel and is
    // replaced by an opaque alpha), so that one uint or one vector holds it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static bool ColourRow(byte filter, byte* x, byte* output, byte* up, int width, int channels)
    {
        uint opaque = channels == 3 ? 0xFF000000u : 0; // little-endian: alpha is the high byte
        uint* o = (uint*)output, b = (uint*)up;
        switch (filter)
        {
            case None:
                for (int i = 0; i < width; i++, x += channels) o[i] = Load(x) | opaque;
                return true;
            case Sub:
                uint left = 0;
                for (int i = 0; i < width; i++, x += channels) o[i] = left = AddBytes(Load(x), left) | opaque;
                return true;
            case Up:
                for (int i = 0; i < width; i++, x += channels) o[i] = AddBytes(Load(x), b[i]) | opaque;
                return true;
            case Average:
                AverageRow(x, o, b, width, channels, opaque);
                return true;
            case Paeth:
                PaethRow(x, o, b, width, channels, opaque);
                return true;
            default:
                return false;
        }
    }

    // Average per pixel on four 16-bit lanes: only add, shift, add, mask depend on the pixel to the left (the
    // bytewise uint arithmetic chained twice as many operations, and this loop runs once per pixel of the image).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void AverageRow(byte* x, uint* o, uint* up, int width, int channels, uint opaque)
    {
        Vector128<short> a = Vector128<short>.Zero, mask = Vector128.Create((short)0xFF);
        for (int i = 0; i < width; i++, x += channels)
        {
            a = (Vector128.ShiftRightLogical(a + Widen(up[i]), 1) + Widen(Load(x))) & mask;
            o[i] = Vector128.Narrow(a.AsUInt16(), a.AsUInt16()).AsUInt32().ToScalar() | opaque;
        }
    }

    // Paeth per pixel on four 16-bit lanes: the predictor is the neighbour (left a, up b, up-left c) nearest to
    // a + b - c, preferring a, then b.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PaethRow(byte* x, uint* o, uint* up, int width, int channels, uint opaque)
    {
        Vector128<short> a = Vector128<short>.Zero, c = Vector128<short>.Zero, mask = Vector128.Create((short)0xFF);
        for (int i = 0; i < width; i++, x += channels)
        {
            Vector128<short> b = Widen(up[i]);
            Vector128<short> pa = Vector128.Abs(b - c), pb = Vector128.Abs(a - c), pc = Vector128.Abs(b - c + a - c);
            Vector128<short> predictor = Vector128.ConditionalSelect(Vector128.LessThanOrEqual(pb, pc), b, c);
            predictor = Vector128.ConditionalSelect(
                Vector128.LessThanOrEqual(pa, pb) & Vector128.LessThanOrEqual(pa, pc), a, predictor);
            a = (Widen(Load(x)) + predictor) & mask;
            o[i] = Vector128.Narrow(a.AsUInt16(), a.AsUInt16()).AsUInt32().ToScalar() | opaque;
            c = b;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static uint Load(byte* p) => Unsafe.ReadUnaligned<uint>(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<short> Widen(uint pixel) =>
        Vector128.WidenLower(Vector128.CreateScalarUnsafe(pixel).AsByte()).AsInt16();

    // Four byte-wise sums modulo 256 in one uint: the low seven bits of each byte add without reaching the next byte.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static uint AddBytes(uint x, uint y) => ((x & 0x7F7F7F7Fu) + (y & 0x7F7F7F7Fu)) ^ ((x ^ y) & 0x80808080u);

    // A grey (1 channel) or grey+alpha (2) row, unfiltered in place byte by byte, then written as RGBA.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static bool GreyRow(byte filter, byte* x, byte* up, int width, int channels, byte* output)
    {
        if (filter > Paeth) return false;
        int count = width * channels;
        for (int i = 0; i < count; i++)
        {
            int a = i >= channels ? x[i - channels] : 0, b = up[i], c = i >= channels ? up[i - channels] : 0;
            int predictor = filter switch
            {
                Sub => a,
                Up => b,
                Average => (a + b) >> 1,
                Paeth => PaethPredictor(a, b, c),
                _ => 0,
            };
            x[i] = (byte)(x[i] + predictor);
        }
        for (int i = 0; i < width; i++, output += 4)
        {
            byte grey = x[i * channels];
            output[0] = output[1] = output[2] = grey;
            output[3] = channels == 2 ? x[i * channels + 1] : (byte)255;
        }
        return true;
    }

    static int PaethPredictor(int a, int b, int c)
    {
        int pa = Math.Abs(b - c), pb = Math.Abs(a - c), pc = Math.Abs(a + b - 2 * c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
