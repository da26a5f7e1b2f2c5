using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace ClipSharp.Text;

/// <summary>Python's <c>html.unescape</c>: named references with or without ';' (the legacy names), decimal and hex
/// references with HTML5's replacements for invalid code points. Named references come from .NET's HTML 4 table,
/// which covers every entity the legacy no-';' form allows and the common ones with ';'.</summary>
static partial class PythonHtml
{
    [GeneratedRegex(@"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")]
    private static partial Regex CharRef();

    // The names html.entities.html5 accepts without a trailing ';' (HTML's legacy references).
    static readonly HashSet<string> LegacyNames =
    [
        "AElig", "AMP", "Aacute", "Acirc", "Agrave", "Aring", "Atilde", "Auml", "COPY", "Ccedil", "ETH", "Eacute",
        "Ecirc", "Egrave", "Euml", "GT", "Iacute", "Icirc", "Igrave", "Iuml", "LT", "Ntilde", "Oacute", "Ocirc",
        "Ograve", "Oslash", "Otilde", "Ouml", "QUOT", "REG", "THORN", "Uacute", "Ucirc", "Ugrave", "Uuml", "Yacute",
        "aacute", "acirc", "acute", "aelig", "agrave", "amp", "aring", "atilde", "auml", "brvbar", "ccedil", "cedil",
        "cent", "copy", "curren", "deg", "divide", "eacute", "ecirc", "egrave", "eth", "euml", "frac12", "frac14",
        "frac34", "gt", "iacute", "icirc", "iexcl", "igrave", "iquest", "iuml", "laquo", "lt", "macr", "micro",
        "middot", "nbsp", "not", "ntilde", "oacute", "ocirc", "ograve", "ordf", "ordm", "oslash", "otilde", "ouml",
        "para", "plusmn", "pound", "quot", "raquo", "reg", "sect", "shy", "sup1", "sup2", "sup3", "szlig", "thorn",
        "times", "uacute", "ucirc", "ugrave", "uml", "uuml", "yacute", "yen", "yuml",
    ];

    // HTML5's replacements for numeric references to C1 controls (read as Windows-1252), NUL and CR.
    static readonly Dictionary<int, string> InvalidCharRefs = new()
    {
        [0x00] = "\ufffd", [0x0d] = "\r",
        [0x80] = "\u20ac", [0x81] = "\x81", [0x82] = "\u201a", [0x83] = "\u0192",
        [0x84] = "\u201e", [0x85] = "\u2026", [0x86] = "\u2020", [0x87] = "\u2021",
        [0x88] = "\u02c6", [0x89] = "\u2030", [0x8a] = "\u0160", [0x8b] = "\u2039",
        [0x8c] = "\u0152", [0x8d] = "\x8d", [0x8e] = "\u017d", [0x8f] = "\x8f",
        [0x90] = "\x90", [0x91] = "\u2018", [0x92] = "\u2019", [0x93] = "\u201c",
        [0x94] = "\u201d", [0x95] = "\u2022", [0x96] = "\u2013", [0x97] = "\u2014",
        [0x98] = "\u02dc", [0x99] = "\u2122", [0x9a] = "\u0161", [0x9b] = "\u203a",
        [0x9c] = "\u0153", [0x9d] = "\x9d", [0x9e] = "\u017e", [0x9f] = "\u0178",
    };

    public static string Unescape(string s) => s.Contains('&') ? CharRef().Replace(s, Replace) : s;

    static string Replace(Match m)
    {
        string s = m.Groups[1].Value;
        if (s[0] == '#')
        {
            string digits = s.TrimEnd(';');
            bool hex = digits.Length > 1 && (digits[1] == 'x' || digits[1] == 'X');
            int number;
            try { number = hex ? Convert.ToInt32(digits[2..], 16) : int.Parse(digits[1..]); }
            catch (OverflowException) { return "\ufffd"; }
            if (InvalidCharRefs.TryGetValue(number, out var replacement)) return replacement;
            if (number is >= 0xD800 and <= 0xDFFF || number > 0x10FFFF) return "\ufffd";
            if (IsInvalidCodepoint(number)) return "";
            return char.ConvertFromUtf32(number);
        }
        if (Named(s) is { } full) return full;
        // The longest legacy name that prefixes the reference, the rest kept as text ("&ampx" -> "&x").
        for (int x = s.Length - 1; x > 1; x--)
            if (LegacyNames.Contains(s[..x])) return Named(s[..x] + ";")! + s[x..];
        return "&" + s;
    }

    static string? Named(string s)
    {
        if (!s.EndsWith(';') && !LegacyNames.Contains(s)) return null;
        string entity = "&" + (s.EndsWith(';') ? s : s + ";");
        string decoded = WebUtility.HtmlDecode(entity);
        return decoded == entity ? null : decoded;
    }

    static bool IsInvalidCodepoint(int cp) =>
        cp is >= 0x1 and <= 0x8 or 0xb or >= 0xe and <= 0x1f or >= 0x7f and <= 0x9f or >= 0xfdd0 and <= 0xfdef
        || (cp & 0xfffe) == 0xfffe;
}
