using System.Globalization;
using System.Text;

namespace ClipSharp.Text;

/// <summary>
/// Splits cleaned text as the official pattern
/// <c>&lt;\|startoftext\|&gt;|&lt;\|endoftext\|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c> does,
/// trying the alternatives in order at each position; scanned by code point, so letters outside the BMP count as
/// letters.
/// </summary>
public static class PreTokenizer
{
    static readonly string[] Specials = ["<|startoftext|>", "<|endoftext|>"];
    static readonly string[] Contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    public static List<string> Split(string text)
    {
        var pieces = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            var rune = Rune.GetRuneAt(text, i);
            var kind = Classify(rune);
            if (kind == Kind.Space) { i += rune.Utf16SequenceLength; continue; }

            string? fixedPiece = Specials.FirstOrDefault(s => Matches(text, i, s))
                ?? Contractions.FirstOrDefault(s => Matches(text, i, s));
            int end;
            if (fixedPiece is not null) end = i + fixedPiece.Length;
            else if (kind == Kind.Number) end = i + rune.Utf16SequenceLength;
            else end = RunEnd(text, i, kind);   // a run of letters, or of anything neither letter, number nor space
            pieces.Add(text[i..end]);
            i = end;
        }
        return pieces;
    }

    // The official pattern is compiled with IGNORECASE.
    static bool Matches(string text, int at, string s) =>
        at + s.Length <= text.Length && text.AsSpan(at, s.Length).Equals(s, StringComparison.OrdinalIgnoreCase);

    static int RunEnd(string text, int i, Kind kind)
    {
        while (i < text.Length)
        {
            var r = Rune.GetRuneAt(text, i);
            if (Classify(r) != kind) break;
            i += r.Utf16SequenceLength;
        }
        return i;
    }

    enum Kind { Space, Letter, Number, Other }

    static Kind Classify(Rune r)
    {
        if (Rune.IsWhiteSpace(r) || r.Value is >= 0x1c and <= 0x1f) return Kind.Space;
        return Rune.GetUnicodeCategory(r) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Kind.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber
                or UnicodeCategory.OtherNumber => Kind.Number,
            _ => Kind.Other,
        };
    }
}
