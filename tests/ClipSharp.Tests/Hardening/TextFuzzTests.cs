using System.Text;
using ClipSharp.Text;

namespace ClipSharp.Tests.Hardening;

/// <summary>Random Unicode through the tokenizer (fixed seed): only the library's own errors, a lower bound that holds,
/// and a decode of every encoding.</summary>
public class TextFuzzTests
{

    // Ranges that stress cleaning and splitting: controls, C1, Latin, combining marks, quotes, Greek sigma, CJK,
    // fullwidth forms, lone surrogates, emoji, specials and HTML entities.
    static readonly (int From, int To)[] Ranges =
    [
        (0x00, 0x7f), (0x80, 0xff), (0x300, 0x36f), (0x391, 0x3c9), (0x2000, 0x206f), (0x3000, 0x30ff),
        (0x4e00, 0x4e80), (0xd800, 0xdfff), (0xfb00, 0xfb06), (0xfe00, 0xffff), (0x1f300, 0x1f64f), (0x10000, 0x10100),
    ];
    static readonly string[] Fragments =
        ["<|endoftext|>", "<|startoftext|>", "&amp;", "&#x41;", "&#0;", "&nbsp", "'s", "\r\n", "Σ", "\ufffe"];

    [Fact]
    public void Random_unicode_gives_ids_or_a_text_error_and_always_decodes()
    {
        var tokenizer = new ClipTokenizer(Reference.Vocabulary);
        var random = new Random(20261127);
        int encoded = 0;
        for (int n = 0; n < 3000; n++)
        {
            string text = RandomText(random, random.Next(0, n % 100 == 0 ? 2000 : 60));
            try
            {
                var ids = tokenizer.Encode(text);
                encoded++;
                Assert.InRange(tokenizer.MinimumTokens(PreTokenizer.Split(TextCleaner.Clean(text))), 0, ids.Length);
                _ = tokenizer.Decode(ids);
                var fitted = tokenizer.EncodeToFit(text, truncate: true);
                Assert.InRange(fitted.Length, 2, 77);
                Assert.Equal(ids.Take(fitted.Length - 2), fitted[1..^1]);
                if (ids.Length + 2 <= 77) Assert.Equal(fitted, tokenizer.EncodeToFit(text));
                else Assert.Throws<TextException>(() => tokenizer.EncodeToFit(text));
            }
            catch (Exception e) when (e is not ClipSharpException and not Xunit.Sdk.XunitException)
            {
                string json = System.Text.Json.JsonSerializer.Serialize(text);
                Assert.Fail($"case {n} {json}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.Equal(3000, encoded);   // none of these is too long for the character limit
    }

    static string RandomText(Random random, int length)
    {
        var sb = new StringBuilder();
        while (sb.Length < length)
        {
            if (random.Next(10) == 0) { sb.Append(Fragments[random.Next(Fragments.Length)]); continue; }
            if (random.Next(4) == 0) { sb.Append(' '); continue; }
            var (from, to) = Ranges[random.Next(Ranges.Length)];
            int cp = random.Next(from, to + 1);
            // Lone surrogates go in as single UTF-16 units, as a broken string would carry them.
            if (cp is >= 0xd800 and <= 0xdfff) sb.Append((char)cp);
            else sb.Append(char.ConvertFromUtf32(cp));
        }
        return sb.ToString();
    }
}
