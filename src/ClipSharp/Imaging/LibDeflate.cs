using System.Runtime.InteropServices;

namespace ClipSharp.Imaging;

/// <summary>The few entry points of libdeflate (an optional system library: Debian's libdeflate0) that the PNG fast
/// path needs. When it cannot be loaded, <see cref="Available"/> is false and Skia decodes every PNG.</summary>
internal static unsafe class LibDeflate
{
    /// <summary>libdeflate_result: anything but success means the stream is corrupt, short or too long.</summary>
    internal const int Success = 0;

    static readonly delegate* unmanaged<IntPtr> alloc;
    static readonly delegate* unmanaged<IntPtr, void> free;
    static readonly delegate* unmanaged<IntPtr, byte*, nuint, byte*, nuint, nuint*, int> zlibDecompress;
    static readonly delegate* unmanaged<uint, byte*, nuint, uint> crc32;

    internal static bool Available { get; }

    static LibDeflate()
    {
        string[] names = OperatingSystem.IsWindows() ? ["libdeflate.dll"]
            : OperatingSystem.IsMacOS() ? ["libdeflate.0.dylib", "libdeflate.dylib"]
            : ["libdeflate.so.0", "libdeflate.so"];
        foreach (string name in names)
        {
            if (!NativeLibrary.TryLoad(name, typeof(LibDeflate).Assembly, null, out IntPtr library)) continue;
            if (NativeLibrary.TryGetExport(library, "libdeflate_alloc_decompressor", out IntPtr a)
                && NativeLibrary.TryGetExport(library, "libdeflate_free_decompressor", out IntPtr f)
                && NativeLibrary.TryGetExport(library, "libdeflate_zlib_decompress", out IntPtr z)
                && NativeLibrary.TryGetExport(library, "libdeflate_crc32", out IntPtr c))
            {
                alloc = (delegate* unmanaged<IntPtr>)a;
                free = (delegate* unmanaged<IntPtr, void>)f;
                zlibDecompress = (delegate* unmanaged<IntPtr, byte*, nuint, byte*, nuint, nuint*, int>)z;
                crc32 = (delegate* unmanaged<uint, byte*, nuint, uint>)c;
                Available = true;
                return;
            }
            NativeLibrary.Free(library);
        }
    }

    /// <summary>The CRC-32 of <paramref name="data"/> (PNG's chunk checksum).</summary>
    internal static uint Crc32(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data) return crc32(0, p, (nuint)data.Length);
    }

    /// <summary>Inflates the zlib stream <paramref name="input"/> into all of <paramref name="output"/>: true only
    /// when the stream is valid (Adler-32 included) and fills it exactly.</summary>
    internal static bool TryZlibDecompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        IntPtr decompressor = Rent();
        if (decompressor == IntPtr.Zero) return false;
        try
        {
            fixed (byte* i = input)
            fixed (byte* o = output)
                // A null actual-size pointer makes a stream that ends early an error (short output).
                return zlibDecompress(decompressor, i, (nuint)input.Length, o, (nuint)output.Length, null) == Success;
        }
        finally
        {
            Return(decompressor);
        }
    }

    // Decoding runs on several threads at once and a decompressor is not thread-safe, so each call borrows one from
    // a few shared slots (or allocates one when all are taken); a surplus one is freed on return. The slots' few
    // decompressors (about 10 KB each) are kept for the life of the process.
    static readonly IntPtr[] pool = new IntPtr[Math.Max(2, Environment.ProcessorCount)];

    static IntPtr Rent()
    {
        for (int i = 0; i < pool.Length; i++)
        {
            IntPtr d = Interlocked.Exchange(ref pool[i], IntPtr.Zero);
            if (d != IntPtr.Zero) return d;
        }
        return alloc();
    }

    static void Return(IntPtr decompressor)
    {
        for (int i = 0; i < pool.Length; i++)
            if (Interlocked.CompareExchange(ref pool[i], decompressor, IntPtr.Zero) == IntPtr.Zero) return;
        free(decompressor);
    }
}
