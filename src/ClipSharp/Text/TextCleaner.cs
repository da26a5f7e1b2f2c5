using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ClipSharp.Text;

/// <summary>
/// The cleaning the official tokenizer applies before BPE: ftfy's default <c>fix_text</c> (the steps real text
/// hits: HTML unescape where a line has no '&lt;', C1 controls read as Windows-1252, ligature and width folding,
/// quote uncurling, line breaks, lone surrogates, terminal escapes, control characters, NFC — repeated until nothing
/// changes), then <c>html.unescape</c> twice, whitespace collapsed and trimmed, and Python's full Unicode lowercase.
/// Mojibake repair (ftfy's fix_encoding) is not attempted.
/// </summary>
public static partial class TextCleaner
{
    public static string Clean(string text)
    {
        text = FixText(text);
        text = PythonHtml.Unescape(PythonHtml.Unescape(text));
        text = Whitespace().Replace(text, " ").Trim(PythonSpace);
        return PythonLower(text);
    }

    /// <summary>ftfy.fix_text with its default configuration, applied line by line as ftfy does.</summary>
    public static string FixText(string text)
    {
        var result = new StringBuilder(text.Length);
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            result.Append(FixSegment(text[start..end]));
            start = end;
        }
        return result.ToString();
    }

    // ftfy repeats its steps until nothing changes; each round peels one level off nested entities or escapes
    // ("&amp;amp;amp;…"), so a hostile text would cost rounds × length. Real text settles in two or three rounds.
    const int MaxRounds = 64;

    static string FixSegment(string text)
    {
        bool unescapeHtml = !text.Contains('<');
        for (int round = 0; ; round++)
        {
            if (round == MaxRounds)
                throw new TextException($"Text \"{ClipTokenizer.Shorten(text)}\" still changes after {MaxRounds} " +
                    "rounds of cleaning (deeply nested HTML entities or terminal escapes?); refusing it");
            string before = text;
            if (unescapeHtml) text = HtmlEntity().Replace(text, m => FtfyEntity(m.Value));
            text = C1Control().Replace(text, m => Windows1252[m.Value[0] - 0x80]);
            text = Translate(text, Ligatures);
            text = Translate(text, WidthMap.Value);
            text = SingleQuote().Replace(text, "'");
            text = DoubleQuote().Replace(text, "\"");
            text = text.Replace("\r\n", "\n").Replace('\r', '\n')
                .Replace('\u2028', '\n').Replace('\u2029', '\n').Replace('\u0085', '\n');
            text = FixSurrogates(text);
            text = TerminalEscape().Replace(text, "");
            text = RemoveControlChars(text);
            text = Nfc(text);
            if (text == before) return text;
        }
    }

    // .NET refuses to normalise a string holding the noncharacter U+FFFE; Python does not. U+FFFE neither decomposes
    // nor composes and blocks composition across it, so normalising the parts between them gives Python's result.
    static string Nfc(string text) => text.Contains('\ufffe')
        ? string.Join('\ufffe', text.Split('\ufffe').Select(part => part.Normalize(NormalizationForm.FormC)))
        : text.Normalize(NormalizationForm.FormC);

    // ftfy unescapes only complete references ("&name;", "&#N;"), and leaves a numeric one that yields ';' alone.
    [GeneratedRegex("&#?[0-9A-Za-z]{1,24};")]
    private static partial Regex HtmlEntity();
    static string FtfyEntity(string entity)
    {
        string unescaped = PythonHtml.Unescape(entity);
        return entity.StartsWith("&#") && unescaped.Contains(';') ? entity : unescaped;
    }

    [GeneratedRegex("[\u0080-\u009f]")] private static partial Regex C1Control();
    [GeneratedRegex("[\u02bc\u2018-\u201b]")] private static partial Regex SingleQuote();
    [GeneratedRegex("[\u201c-\u201f]")] private static partial Regex DoubleQuote();
    [GeneratedRegex("\u001b\\[((?:\\d|;)*)([a-zA-Z])")] private static partial Regex TerminalEscape();
    // Python's \s: Unicode White_Space plus the information separators U+001C–U+001F.
    [GeneratedRegex("[\\s\u001c-\u001f]+")] private static partial Regex Whitespace();
    static readonly char[] PythonSpace =
    [
        .. Enumerable.Range(0, 0x3001).Select(i => (char)i)
            .Where(c => char.IsWhiteSpace(c) || c is >= '\u001c' and <= '\u001f'),
    ];

    // Windows-1252 for bytes 0x80–0x9F; the five undefined ones stay as they are (ftfy's "sloppy" codec).
    static readonly string[] Windows1252 =
    [
        "\u20ac", "\u0081", "\u201a", "\u0192", "\u201e", "\u2026", "\u2020", "\u2021",
        "\u02c6", "\u2030", "\u0160", "\u2039", "\u0152", "\u008d", "\u017d", "\u008f",
        "\u0090", "\u2018", "\u2019", "\u201c", "\u201d", "\u2022", "\u2013", "\u2014",
        "\u02dc", "\u2122", "\u0161", "\u203a", "\u0153", "\u009d", "\u017e", "\u0178",
    ];

    static readonly Dictionary<char, string> Ligatures = "ĲĳĿŀŉǄǅǆǇǈǉǊǋǌǱǲǳﬀﬁﬂﬃﬄﬅﬆ"
        .ToDictionary(c => c, c => c.ToString().Normalize(NormalizationForm.FormKC));

    // Fullwidth and halfwidth forms fold to their NFKC equivalents; the ideographic space becomes a space.
    static readonly Lazy<Dictionary<char, string>> WidthMap = new(() =>
    {
        var map = new Dictionary<char, string> { ['\u3000'] = " " };
        for (char c = '\uff01'; c < '\ufff0'; c++)
        {
            string folded = c.ToString().Normalize(NormalizationForm.FormKC);
            if (folded != c.ToString()) map[c] = folded;
        }
        return map;
    });

    static string Translate(string text, Dictionary<char, string> map)
    {
        if (!text.Any(map.ContainsKey)) return text;
        var sb = new StringBuilder(text.Length);
        foreach (char c in text) { if (map.TryGetValue(c, out var r)) sb.Append(r); else sb.Append(c); }
        return sb.ToString();
    }

    static string FixSurrogates(string text)
    {
        if (!text.Any(char.IsSurrogate)) return text;
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(text, i, 2);
                i++;
            }
            else sb.Append(char.IsSurrogate(text[i]) ? '\ufffd' : text[i]);
        }
        return sb.ToString();
    }

    // ftfy's control characters: C0 but tab, LF, FF and CR; DEL; deprecated format characters; BOM; interlinear
    // annotations.
    static bool IsRemovedControl(char c) =>
        c is <= '\u0008' or '\u000b' or (>= '\u000e' and <= '\u001f') or '\u007f'
            or (>= '\u206a' and <= '\u206f') or '\ufeff' or (>= '\ufff9' and <= '\ufffc');

    static string RemoveControlChars(string text) =>
        text.Any(IsRemovedControl) ? string.Concat(text.Where(c => !IsRemovedControl(c))) : text;

    /// <summary>Python's <c>str.lower()</c>: full Unicode mappings (İ → i̇) and the final-sigma rule.</summary>
    public static string PythonLower(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length;)
        {
            var rune = Rune.GetRuneAt(text, i);
            if (rune.Value == 0x130) sb.Append("i\u0307");
            else if (rune.Value == 0x3a3) sb.Append(IsFinalSigma(text, i) ? 'ς' : 'σ');
            else sb.Append(Rune.ToLowerInvariant(rune).ToString());
            i += rune.Utf16SequenceLength;
        }
        return sb.ToString();
    }

    // Σ is final when a cased letter precedes it and none follows (case-ignorable characters skipped on both sides).
    static bool IsFinalSigma(string text, int at)
    {
        bool Cased(Rune r) => Rune.IsLetter(r)
            && (Rune.IsUpper(r) || Rune.IsLower(r) || Rune.GetUnicodeCategory(r) == UnicodeCategory.TitlecaseLetter);
        bool Ignorable(Rune r) =>
            Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
                or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
            || r.Value is '\'' or '.' or ':' or '\u00b7' or '\u2019';

        bool before = false;
        for (int i = at; i > 0;)
        {
            i -= char.IsLowSurrogate(text[i - 1]) && i >= 2 ? 2 : 1;
            var r = Rune.GetRuneAt(text, i);
            if (Ignorable(r)) continue;
            before = Cased(r);
            break;
        }
        if (!before) return false;
        for (int i = at + 1; i < text.Length;)
        {
            var r = Rune.GetRuneAt(text, i);
            i += r.Utf16SequenceLength;
            if (Ignorable(r)) continue;
            return !Cased(r);
        }
        return true;
    }
}
