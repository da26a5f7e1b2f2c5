using System.Text;

namespace ClipSharp.Text;

/// <summary>
/// Reads a UTF-8 text file of short lines (prompts, templates, JSON strings) strictly: invalid UTF-8 is an error
/// naming the file and line instead of silently becoming U+FFFD, and the file size and line length are bounded
/// before anything is kept; only a regular file is opened (a FIFO would block, a device never ends). Lines end at
/// LF, CRLF or CR, as <see cref="File.ReadLines(string)"/> splits them; a leading byte-order mark is dropped.
/// </summary>
public static class TextFile
{
    /// <summary>The largest file read: far more prompts than anyone embeds at once.</summary>
    public const int MaxBytes = 16 << 20;
    /// <summary>The longest line, in characters: the tokenizer's limit.</summary>
    public const int MaxLineLength = ClipTokenizer.MaxTextLength;

    static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The file's lines with their 1-based numbers. <paramref name="what"/> names the file in messages
    /// ("Text file", "Prompt file").</summary>
    public static List<(int Line, string Text)> ReadLines(string path, string what = "Text file")
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{what} '{path}' not found", path);
        var bytes = RegularFile.ReadAll(path, MaxBytes,
            (problem, inner) => new TextException($"{what} '{path}' {problem}", inner), allowEmpty: true);
        var lines = new List<(int, string)>();
        int start = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? 3 : 0;
        for (int number = 1; start < bytes.Length; number++)
        {
            // CR and LF never occur inside a multi-byte UTF-8 sequence, so lines split safely before decoding.
            int end = bytes.AsSpan(start).IndexOfAny((byte)'\n', (byte)'\r');
            end = end < 0 ? bytes.Length : start + end;
            lines.Add((number, Decode(bytes.AsSpan(start, end - start), path, number)));
            start = end < bytes.Length && bytes[end] == '\r' && end + 1 < bytes.Length && bytes[end + 1] == '\n'
                ? end + 2
                : end + 1;
        }
        return lines;
    }

    static string Decode(ReadOnlySpan<byte> line, string path, int number)
    {
        string text;
        try { text = Strict.GetString(line); }
        catch (DecoderFallbackException e)
        {
            int column = e.Index + 1;
            string found = e.BytesUnknown is { Length: > 0 } unknown ? $" (byte 0x{unknown[0]:X2})" : "";
            throw new TextException($"{path}:{number}: invalid UTF-8 at byte {column} of the line{found}; " +
                "save the file as UTF-8", e);
        }
        if (text.Length > MaxLineLength)
            throw new TextException(
                $"{path}:{number}: the line is {text.Length:N0} characters; the limit is {MaxLineLength:N0}");
        return text;
    }
}
