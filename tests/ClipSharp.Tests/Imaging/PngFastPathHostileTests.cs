using System.Buffers.Binary;
using ClipSharp.Imaging;
using static ClipSharp.Tests.Imaging.PngBuilder;

namespace ClipSharp.Tests.Imaging;

/// <summary>Every malformed or unusual PNG is refused by the fast path (false, no exception, no large allocation)
/// and so decodes, or fails with the same message, exactly as with the fast path off.</summary>
[Collection(nameof(PngFastPath))]
public class PngFastPathHostileTests
{
    const int Width = 50, Height = 20;
    static readonly byte[] rows = Filter(RandomSamples(Width, Height, 3, 5), Width, Height, 3, y => y % 5);
    static readonly byte[] zlib = Zlib(rows);

    static byte[] OneIdat(byte[] stream) => PngFile([Header(Width, Height, 2), Chunk("IDAT", stream), Iend()]);

    static byte[] Valid => Png(Width, Height, 2, rows, split: 300);

    static bool FastPathAccepts(byte[] png, long maxPixels = ImageLoader.DefaultMaxPixels)
    {
        PngFastPathTests.RequireLibDeflate();
        if (!PngFastPath.TryOpen(png, maxPixels, out var layout)) return false;
        return PngFastPath.TryDecode(png, layout, new byte[(long)layout.Width * layout.Height * 4]);
    }

    // Refused by the chunk and header checks, or (inData) only when the stream is inflated and unfiltered.
    static void AssertRefusedAsSkiaWould(byte[] png, bool inData = false)
    {
        Assert.False(FastPathAccepts(png));
        Assert.Equal(inData, PngFastPath.TryOpen(png, ImageLoader.DefaultMaxPixels, out _));
        Assert.Equal(PngFastPathTests.Outcome(png, fast: false), PngFastPathTests.Outcome(png, fast: true));
    }

    static byte[] Corrupt(byte[] png, int offset, byte xor = 0x55)
    {
        var copy = (byte[])png.Clone();
        copy[offset] ^= xor;
        return copy;
    }

    [SkippableFact]
    public void The_valid_file_the_others_spoil_is_accepted() => Assert.True(FastPathAccepts(Valid));

    [SkippableFact]
    public void A_bad_crc_in_the_header_is_refused() => AssertRefusedAsSkiaWould(Corrupt(Valid, 8 + 8 + 13));

    [SkippableFact]
    public void A_bad_crc_in_an_idat_is_refused() =>
        AssertRefusedAsSkiaWould(Corrupt(Valid, 8 + 25 + 8 + 300)); // the first IDAT's CRC

    [SkippableFact]
    public void A_bad_byte_in_the_idat_data_is_refused() => AssertRefusedAsSkiaWould(Corrupt(Valid, 8 + 25 + 8 + 40));

    [SkippableFact]
    public void A_file_cut_inside_an_idat_is_refused() => AssertRefusedAsSkiaWould(Valid[..(Valid.Length / 2)]);

    [SkippableFact]
    public void A_truncated_zlib_stream_is_refused() =>
        AssertRefusedAsSkiaWould(OneIdat(zlib[..^40]), inData: true);

    [SkippableFact]
    public void Zlib_garbage_is_refused() =>
        AssertRefusedAsSkiaWould(OneIdat(RandomSamples(900, 1, 1, 3)), inData: true);

    [SkippableFact]
    public void Too_little_inflated_data_is_refused() =>
        AssertRefusedAsSkiaWould(OneIdat(Zlib(rows[..^1])), inData: true);

    [SkippableFact]
    public void Too_much_inflated_data_is_refused() =>
        AssertRefusedAsSkiaWould(OneIdat(Zlib([.. rows, 0, 1, 2])), inData: true);

    [SkippableFact]
    public void Filter_byte_5_is_refused()
    {
        var bad = (byte[])rows.Clone();
        bad[3 * (1 + Width * 3)] = 5;
        AssertRefusedAsSkiaWould(OneIdat(Zlib(bad)), inData: true);
    }

    [SkippableTheory]
    [InlineData(400u)]
    [InlineData(0x7FFFFFFFu)]
    [InlineData(0xFFFFFFFFu)]
    public void A_chunk_length_past_the_end_of_the_file_is_refused(uint length)
    {
        var png = Valid;
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(8 + 25), length); // the first IDAT
        AssertRefusedAsSkiaWould(png);
    }

    [SkippableTheory]
    [InlineData(65535, 65535)]
    [InlineData(20000, 20000)]
    [InlineData(1_000_001, 1)]
    [InlineData(1, 1_000_001)]
    public void A_huge_header_with_tiny_data_is_refused_without_allocating(int width, int height)
    {
        byte[] png = PngFile([Header(width, height, 2), Chunk("IDAT", zlib), Iend()]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.False(FastPathAccepts(png, ImageLoader.MaxPixelsLimit));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100_000);
        if ((long)width * height <= 2_000_000) // within Skia's reach: the same outcome
            Assert.Equal(PngFastPathTests.Outcome(png, false), PngFastPathTests.Outcome(png, true));
        else
            Assert.StartsWith("Image 'image.png' is", PngFastPathTests.Outcome(png, true));
    }

    [SkippableFact]
    public void An_image_over_the_pixel_limit_is_left_to_skia()
    {
        Assert.True(FastPathAccepts(Valid, Width * Height));
        Assert.False(FastPathAccepts(Valid, Width * Height - 1));
        Assert.Equal(PngFastPathTests.Outcome(Valid, false, 999), PngFastPathTests.Outcome(Valid, true, 999));
        Assert.Contains("over the limit", PngFastPathTests.Outcome(Valid, true, 999));
    }

    [SkippableFact]
    public void A_tall_thin_image_past_libpngs_side_limit_is_left_to_skia()
    {
        const int height = 1_000_001;
        byte[] png = Png(1, height, 0, new byte[height * 2]);
        Assert.False(FastPathAccepts(png));
        Assert.Equal(PngFastPathTests.Outcome(png, false), PngFastPathTests.Outcome(png, true));
        Assert.Contains("not a supported image", PngFastPathTests.Outcome(png, true)); // Skia refuses it
    }

    [SkippableTheory]
    [InlineData(0, Height)]
    [InlineData(Width, 0)]
    public void A_zero_side_is_refused(int width, int height) =>
        AssertRefusedAsSkiaWould(PngFile([Header(width, height, 2), Chunk("IDAT", zlib), Iend()]));

    [SkippableFact]
    public void A_missing_iend_is_refused() =>
        AssertRefusedAsSkiaWould(PngFile([Header(Width, Height, 2), .. Idats(zlib)]));

    [SkippableFact]
    public void Idats_that_are_not_consecutive_are_refused()
    {
        var idats = Idats(zlib, 200);
        AssertRefusedAsSkiaWould(PngFile([Header(Width, Height, 2), idats[0], Chunk("tEXt", "a\0b"u8.ToArray()),
            .. idats[1..], Iend()]));
    }

    [SkippableFact]
    public void A_trns_chunk_is_refused() =>
        AssertRefusedAsSkiaWould(PngFile([Header(Width, Height, 2), Chunk("tRNS", [0, 1, 0, 2, 0, 3]), .. Idats(zlib),
            Iend()]));

    [SkippableFact]
    public void A_palette_chunk_is_refused() =>
        AssertRefusedAsSkiaWould(PngFile([Header(Width, Height, 2), Chunk("PLTE", [1, 2, 3]), .. Idats(zlib), Iend()]));

    [SkippableFact]
    public void A_palette_image_is_refused() =>
        AssertRefusedAsSkiaWould(PngFile([Header(Width, Height, 3), Chunk("PLTE", RandomSamples(256, 1, 3, 1)),
            Chunk("IDAT", Zlib(Filter(RandomSamples(Width, Height, 1, 2), Width, Height, 1, _ => 0))), Iend()]));

    [SkippableFact]
    public void An_unknown_critical_chunk_is_refused() =>
        AssertRefusedAsSkiaWould(PngFile([Header(Width, Height, 2), Chunk("ABCD", [1]), .. Idats(zlib), Iend()]));

    [SkippableFact]
    public void A_chunk_name_that_is_not_letters_is_refused() =>
        AssertRefusedAsSkiaWould(PngFile([Header(Width, Height, 2), Chunk("a1cd", [1]), .. Idats(zlib), Iend()]));

    [SkippableTheory]
    [InlineData("abcd")] // the third letter is PNG's reserved bit: libpng refuses a lower-case one
    [InlineData("aBcD")]
    public void An_ancillary_name_with_a_lower_case_third_letter_is_refused(string name) =>
        AssertRefusedAsSkiaWould(PngFile([Header(Width, Height, 2), Chunk(name, []), .. Idats(zlib), Iend()]));

    [SkippableFact]
    public void A_well_named_unknown_ancillary_chunk_is_accepted() =>
        Assert.True(FastPathAccepts(PngFile([Header(Width, Height, 2), Chunk("abCd", [7]), .. Idats(zlib), Iend()])));

    [SkippableFact]
    public void An_interlaced_image_is_refused() =>
        AssertRefusedAsSkiaWould(PngFile([Header(Width, Height, 2, interlace: 1), .. Idats(zlib), Iend()]));

    [SkippableFact]
    public void A_16_bit_image_is_refused() =>
        AssertRefusedAsSkiaWould(PngFile([Header(Width / 2, Height, 2, depth: 16), .. Idats(zlib), Iend()]));

    [SkippableFact]
    public void A_header_that_is_not_first_is_refused() =>
        AssertRefusedAsSkiaWould(PngFile([Chunk("tEXt", "a\0b"u8.ToArray()), Header(Width, Height, 2), .. Idats(zlib),
            Iend()]));

    [SkippableFact]
    public void Every_truncation_and_every_flipped_byte_is_handled_without_exception()
    {
        byte[] png = Png(9, 5, 6, Filter(RandomSamples(9, 5, 4, 1), 9, 5, 4, y => y % 5), split: 50);
        for (int cut = 0; cut < png.Length; cut++) Assert.False(FastPathAccepts(png[..cut]));
        for (int i = 0; i < png.Length; i++)
            if (FastPathAccepts(Corrupt(png, i, 0x01)))
                Assert.Equal(PngFastPathTests.Outcome(Corrupt(png, i, 0x01), false),
                    PngFastPathTests.Outcome(Corrupt(png, i, 0x01), true));
    }
}
