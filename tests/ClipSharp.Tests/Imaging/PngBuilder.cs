using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ClipSharp.Tests.Imaging;

/// <summary>Writes PNG files by hand (chunks, CRCs, zlib, row filters) so that tests control every byte: the filter of
/// every row, where the IDAT stream is split, which chunks come in which order.</summary>
internal static class PngBuilder
{
    /// <summary>Random 8-bit samples for a width×height image of <paramref name="channels"/> channels.</summary>
    public static byte[] RandomSamples(int width, int height, int channels, int seed)
    {
        var samples = new byte[width * height * channels];
        new Random(seed).NextBytes(samples);
        return samples;
    }

    /// <summary>The filtered rows (filter byte + filtered samples) of <paramref name="samples"/>, row y filtered
    /// with <paramref name="filterOf"/>(y).</summary>
    public static byte[] Filter(byte[] samples, int width, int height, int channels, Func<int, int> filterOf)
    {
        int stride = width * channels;
        var rows = new byte[height * (1 + stride)];
        for (int y = 0; y < height; y++)
        {
            int filter = filterOf(y), o = y * (1 + stride);
            rows[o] = (byte)filter;
            for (int i = 0; i < stride; i++)
            {
                int x = samples[y * stride + i];
                int a = i >= channels ? samples[y * stride + i - channels] : 0;
                int b = y > 0 ? samples[(y - 1) * stride + i] : 0;
                int c = y > 0 && i >= channels ? samples[(y - 1) * stride + i - channels] : 0;
                int predictor = filter switch
                {
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => 0,
                };
                rows[o + 1 + i] = (byte)(x - predictor);
            }
        }
        return rows;
    }

    static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    public static byte[] Zlib(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal)) zlib.Write(data);
        return output.ToArray();
    }

    public static byte[] Header(int width, int height, int colourType, int depth = 8, int interlace = 0)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        (ihdr[8], ihdr[9], ihdr[12]) = ((byte)depth, (byte)colourType, (byte)interlace);
        return Chunk("IHDR", ihdr);
    }

    public static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>The zlib stream cut into IDAT chunks of at most <paramref name="split"/> bytes.</summary>
    public static byte[][] Idats(byte[] zlib, int split = int.MaxValue) =>
        zlib.Chunk(split).Select(part => Chunk("IDAT", part)).ToArray();

    public static byte[] Iend() => Chunk("IEND", []);

    public static byte[] PngFile(params byte[][] chunks) =>
        [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. chunks.SelectMany(c => c)];

    /// <summary>A whole well-formed PNG of the given filtered rows.</summary>
    public static byte[] Png(int width, int height, int colourType, byte[] rows, int split = int.MaxValue) =>
        PngFile([Header(width, height, colourType), .. Idats(Zlib(rows), split), Iend()]);

    // CRC-32 (ISO-HDLC, as PNG uses), bit by bit: independent of the library under test.
    static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
