using System.CommandLine;
using System.Text.Json;
using ClipSharp.Text;
using ClipSharp.Loading;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip tokenize --input FILE</c>: one JSON string a line in, one line of ids (SOT … EOT, unpadded) out.</summary>
static class TokenizeCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Option<string>("--input", "-i") { Description = "A file with one JSON string a line (\"a photo of a cat\")", Required = true };
        var contextLength = new Option<int>("--context-length") { Description = "The model's context length", DefaultValueFactory = _ => ClipTokenizer.DefaultContextLength };
        var truncate = new Option<bool>("--truncate") { Description = "Cut texts longer than the context as clip.tokenize(truncate=True) does (last kept token becomes EOT)" };
        var vocab = CommonOptions.Vocab();
        var command = new Command("tokenize", "Print the official CLIP token ids of each input line (SOT and EOT included, unpadded)") { input, contextLength, truncate, vocab };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(input)!;
            int length = parse.GetValue(contextLength);
            if (length < 2) throw new CliException($"--context-length must be at least 2; got {length}");
            var texts = ReadJsonLines(path);
            var tokenizer = ClipTokenizer.Load(parse.GetValue(vocab));
            var ids = new int[texts.Count][];
            var errors = new TextException?[texts.Count];
            Parallel.For(0, texts.Count, i =>
            {
                try { ids[i] = tokenizer.EncodeWithMarkers(texts[i], length, parse.GetValue(truncate)); }
                catch (TextException e) { errors[i] = new TextException($"{path}:{i + 1}: {e.Message}", e); }
            });
            if (errors.FirstOrDefault(e => e is not null) is { } first) throw first;
            for (int i = 0; i < ids.Length; i++)
            {
                if (ids[i].Length > length)
                    context.Error.WriteLine($"warning: {path}:{i + 1}: {ClipTokenizer.TooLongMessage(texts[i], ids[i].Length, length)}");
                context.Output.WriteLine(string.Join(' ', ids[i]));
            }
            return 0;
        });
        return command;
    }

    // The file is read strictly (UTF-8, bounded size and line length); every error names the file and line.
    static List<string> ReadJsonLines(string path)
    {
        var texts = new List<string>();
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
            texts.Add(value);
        }
        return texts;
    }
}
