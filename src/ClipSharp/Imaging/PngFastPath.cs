using System.Buffers.Binary;

namespace ClipSharp.Imaging;

/// <summary>Where a PNG the fast path accepts keeps its pixels: size, channels (1 grey, 2 grey+alpha, 3 RGB,
/// 4 RGBA, 8 bits each) and the run of consecutive IDAT chunks that holds its zlib stream.</summary>
internal readonly record struct PngLayout(int Width, int Height, int Channels, int FirstIdat, int IdatChunks,
    int IdatBytes)
{
    /// <summary>Bytes of the inflated stream: a filter byte, then the row's samples, for every row.</summary>
    public long FilteredBytes => (long)Height * (1 + (long)Width * Channels);
}

/// <summary>
/// Decodes the common PNGs (8-bit grey, grey+alpha, RGB or RGBA, not interlaced, no palette or tRNS) without Skia:
/// the IDAT stream is inflated by libdeflate, which is faster than the zlib inside Skia, and unfiltered straight into
/// RGBA rows — the bytes Skia writes as unpremultiplied RGBA with no colour space. Anything else, and any file that
/// is not perfectly well formed, is refused (false, never an exception) so that Skia decodes it as before, with its
/// own messages. Without libdeflate (an optional system library) the fast path is off and Skia decodes every PNG.
/// One known difference: libdeflate reads a few deliberately malformed DEFLATE streams (a code-length repeat past
/// the end of the lengths, an unused one-bit distance code that the data uses) where zlib stops with an error; such a
/// stream must also carry the Adler-32 of what libdeflate decodes, so no encoder writes one. Those files decode to
/// pixels here and fail under Skia or Pillow.
/// </summary>
internal static class PngFastPath
{
    /// <summary>Off, every PNG goes through Skia (tests compare both paths in one process).</summary>
    internal static bool Enabled { get; set; } = true;

    internal static bool Available => Enabled && LibDeflate.Available && BitConverter.IsLittleEndian;

    // libpng's default user limit (PNG_USER_WIDTH_MAX / PNG_USER_HEIGHT_MAX): Skia refuses larger sides, and so
    // the fast path leaves them to Skia to keep its error.
    const int MaxSide = 1_000_000;

    // DEFLATE cannot expand one byte into more than 1032 (a 258-byte match in two 1-bit codes): a longer claimed
    // stream is refused before its buffer is allocated.
    const long MaxInflateRatio = 1032;

    const uint Ihdr = 0x49484452, Idat = 0x49444154, Iend = 0x49454E44, Trns = 0x74524E53;

    static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Checks the whole chunk structure (lengths, CRCs, order) and the header against the fast path's rules
    /// and <paramref name="maxPixels"/>, without allocating.</summary>
    internal static bool TryOpen(ReadOnlySpan<byte> png, long maxPixels, out PngLayout layout)
    {
        layout = default;
        if (!Available || png.Length < 8 + 25 || !png[..8].SequenceEqual(Signature)) return false;
        int width = 0, height = 0, channels = 0, firstIdat = -1, idatChunks = 0;
        long idatBytes = 0;
        bool idatClosed = false;
        for (int pos = 8; ; )
        {
            if (png.Length - pos < 12) return false;
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png[pos..]);
            if (length > (uint)(png.Length - pos - 12)) return false;
            var chunk = png.Slice(pos + 4, 4 + (int)length); // type and data: what the CRC covers
            if (BinaryPrimitives.ReadUInt32BigEndian(png[(pos + 8 + (int)length)..]) != LibDeflate.Crc32(chunk))
                return false;
            uint type = BinaryPrimitives.ReadUInt32BigEndian(chunk);
            if (pos == 8)
            {
                if (type != Ihdr || length != 13 || !TryReadHeader(chunk[4..], maxPixels, out width, out height,
                        out channels)) return false;
            }
            else if (type == Idat)
            {
                if (idatClosed) return false;
                if (firstIdat < 0) firstIdat = pos;
                idatChunks++;
                idatBytes += length;
            }
            else if (type == Iend)
            {
                if (firstIdat < 0 || length != 0) return false;
                break;
            }
            else if (!IsHarmlessAncillary(chunk[..4], type)) return false;
            else if (firstIdat >= 0) idatClosed = true;
            pos += 12 + (int)length;
        }
        layout = new PngLayout(width, height, channels, firstIdat, idatChunks, (int)idatBytes);
        return layout.FilteredBytes <= Array.MaxLength - 8 && layout.FilteredBytes <= idatBytes * MaxInflateRatio;
    }

    static bool TryReadHeader(ReadOnlySpan<byte> ihdr, long maxPixels, out int width, out int height,
        out int channels)
    {
        uint w = BinaryPrimitives.ReadUInt32BigEndian(ihdr), h = BinaryPrimitives.ReadUInt32BigEndian(ihdr[4..]);
        (width, height) = ((int)Math.Min(w, MaxSide + 1), (int)Math.Min(h, MaxSide + 1));
        channels = ihdr[9] switch { 0 => 1, 4 => 2, 2 => 3, 6 => 4, _ => 0 };
        return w is >= 1 and <= MaxSide && h is >= 1 and <= MaxSide && (long)w * h <= maxPixels
            && ihdr[8] == 8 && channels != 0 && ihdr[10] == 0 && ihdr[11] == 0 && ihdr[12] == 0;
    }

    // Ancillary chunks (lowercase first letter, upper-case third) change nothing Skia writes without a colour
    // space — but tRNS, which makes a colour transparent. Unknown critical chunks (PLTE included) are left to Skia.
    static bool IsHarmlessAncillary(ReadOnlySpan<byte> name, uint type)
    {
        foreach (byte c in name)
            if (c is not (>= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z')) return false;
        // The third letter must be upper case (PNG's reserved bit): libpng refuses any other name.
        return (name[0] & 0x20) != 0 && (name[2] & 0x20) == 0 && type != Trns;
    }

    /// <summary>Decodes an opened PNG into <paramref name="rgba"/> (stride width·4): false when its zlib stream is
    /// corrupt, short or too long, or a row has an unknown filter.</summary>
    internal static bool TryDecode(ReadOnlySpan<byte> png, in PngLayout layout, Span<byte> rgba)
    {
        if (layout.Width < 1 || rgba.Length / 4 / layout.Width < layout.Height) return false;
        byte[]? joined = null;
        ReadOnlySpan<byte> zlib = layout.IdatChunks == 1 ? png.Slice(layout.FirstIdat + 8, layout.IdatBytes)
            : Join(png, layout, joined = ImageLoader.Borrow(layout.IdatBytes));
        int filteredBytes = (int)layout.FilteredBytes;
        // Four spare bytes: a pixel is read as four bytes, also the last three-byte one.
        byte[] rows = ImageLoader.Borrow(filteredBytes + 4);
        try
        {
            return LibDeflate.TryZlibDecompress(zlib, rows.AsSpan(0, filteredBytes))
                && PngRows.TryUnfilter(rows, layout.Width, layout.Height, layout.Channels, rgba);
        }
        finally
        {
            ImageLoader.GiveBack(rows);
            if (joined is not null) ImageLoader.GiveBack(joined);
        }
    }

    // The data of the consecutive IDAT chunks (already checked by TryOpen), one after the other.
    static ReadOnlySpan<byte> Join(ReadOnlySpan<byte> png, in PngLayout layout, byte[] target)
    {
        int pos = layout.FirstIdat, written = 0;
        for (int i = 0; i < layout.IdatChunks; i++)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png[pos..]);
            png.Slice(pos + 8, length).CopyTo(target.AsSpan(written));
            written += length;
            pos += 12 + length;
        }
        return target.AsSpan(0, written);
    }
}
