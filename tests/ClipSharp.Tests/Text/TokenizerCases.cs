using System.Text.Json;

namespace ClipSharp.Tests.Text;

/// <summary>The rows of tokenizer_cases.tsv: text, official ids (with SOT/EOT, unpadded), official decode.</summary>
public sealed record TokenizerCase(int Line, string Text, int[] Ids, string Decoded)
{
    public static IReadOnlyList<TokenizerCase> All { get; } = Load();

    static List<TokenizerCase> Load()
    {
        var cases = new List<TokenizerCase>();
        var lines = File.ReadAllLines(Reference.File("tokenizer_cases.tsv"));
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#') || lines[i].StartsWith("text_json")) continue;
            var cols = lines[i].Split('\t');
            cases.Add(new(i + 1, JsonSerializer.Deserialize<string>(cols[0])!,
                cols[1].Split(' ').Select(int.Parse).ToArray(), JsonSerializer.Deserialize<string>(cols[2])!));
        }
        return cases;
    }
}
