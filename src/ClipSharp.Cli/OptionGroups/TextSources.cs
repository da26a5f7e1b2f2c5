using System.CommandLine;
using System.Text;
using System.Text.Json;
using ClipSharp.Text;

namespace ClipSharp.Cli.OptionGroups;

/// <summary>A text and where it came from ("prompts.txt:3", "stdin:2", "argument 1"), for messages.</summary>
sealed record SourcedText(string Text, string Origin);

/// <summary>Texts given as positional arguments (<c>-</c>: standard input, one text a line), a file of plain
/// lines (<c>--text-file</c>) or a file of JSON strings (<c>--input</c>, the original contract).</summary>
sealed class TextSources
{
    public const string Stdin = "-";

    public Argument<string[]> Texts { get; } = new("texts")
    {
        Description = "Texts; '-' reads standard input, one text a line", Arity = ArgumentArity.ZeroOrMore,
    };
    public Option<string?> JsonFile { get; } = new("--input", "-i")
    {
        Description = "A file with one JSON string a line (\"a photo of a cat\")",
    };
    public Option<string?> LinesFile { get; } = new("--text-file")
    {
        Description = "A file of texts, one a line (UTF-8)",
    };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Texts);
        command.Options.Add(JsonFile);
        command.Options.Add(LinesFile);
        command.Check(r => (r.GetValue(Texts) ?? []).Length == 0 && r.GetValue(JsonFile) is null &&
            r.GetValue(LinesFile) is null
                ? "Nothing to tokenize: give texts, '-' for standard input, --text-file FILE (one text a line) or " +
                    "--input FILE (JSON strings)"
                : null);
    }

    /// <summary>Every text: the arguments in order (stdin where '-' stands), then --input, then --text-file.</summary>
    public List<SourcedText> Read(ParseResult parse, TextReader stdin)
    {
        var texts = new List<SourcedText>();
        var given = parse.GetValue(Texts) ?? [];
        for (int i = 0; i < given.Length; i++)
            if (given[i] == Stdin) texts.AddRange(ReadStdin(stdin));
            else texts.Add(new(given[i], $"argument {i + 1}"));
        if (parse.GetValue(JsonFile) is { } json) texts.AddRange(ReadJsonLines(json));
        if (parse.GetValue(LinesFile) is { } lines)
            texts.AddRange(TextFile.ReadLines(lines).Select(l => new SourcedText(l.Text, $"{lines}:{l.Line}")));
        return texts;
    }

    /// <summary>Standard input's lines (LF, CRLF or CR), bounded as a text file is: read in blocks, so a stream
    /// without line ends cannot grow past the size limit.</summary>
    static List<SourcedText> ReadStdin(TextReader reader)
    {
        var all = new StringBuilder();
        var block = new char[1 << 16];
        for (int n; (n = reader.Read(block, 0, block.Length)) > 0;)
        {
            all.Append(block, 0, n);
            if (all.Length > TextFile.MaxBytes)
                throw new TextException($"Standard input is over the limit of {TextFile.MaxBytes:N0} characters");
        }
        string text = all.ToString();
        if (text.StartsWith('\uFEFF')) text = text[1..];
        var lines = System.Text.RegularExpressions.Regex.Split(text, "\r\n|\r|\n");
        int count = text.Length == 0 ? 0 : lines.Length - (lines[^1].Length == 0 ? 1 : 0);
        var texts = new List<SourcedText>();
        for (int i = 0; i < count; i++)
        {
            if (lines[i].Length > TextFile.MaxLineLength)
                throw new TextException($"stdin:{i + 1}: the line is {lines[i].Length:N0} characters, over the " +
                    $"limit of {TextFile.MaxLineLength:N0}");
            // The console decodes invalid UTF-8 to U+FFFD: refuse it as text files refuse invalid bytes.
            if (lines[i].Contains('\uFFFD'))
                throw new TextException($"stdin:{i + 1}: invalid UTF-8 (or U+FFFD) in the line; give UTF-8 text");
            texts.Add(new(lines[i], $"stdin:{i + 1}"));
        }
        if (texts.Count == 0) throw new TextException("Standard input ('-') held no text");
        return texts;
    }

    // The file is read strictly (UTF-8, bounded size and line length); every error names the file and line.
    static List<SourcedText> ReadJsonLines(string path)
    {
        var texts = new List<SourcedText>();
        foreach (var (line, text) in TextFile.ReadLines(path, "Input file"))
        {
            string? value;
            try { value = JsonSerializer.Deserialize<string>(text); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
            {
                value = null;
            }
            if (value is null)
                throw new TextException($"{path}:{line}: not a JSON string (each line must be one, " +
                    $"e.g. \"a photo of a cat\"): {ClipTokenizer.Shorten(text)}");
            texts.Add(new(value, $"{path}:{line}"));
        }
        return texts;
    }
}
