using System.Text.Json;
using ClipSharp.Text;

namespace ClipSharp.Tests.Text;

public class ClipTokenizerTests
{
    static ClipTokenizer Tokenizer => Reference.Tokenizer;

    [Fact]
    public void Every_reference_case_gives_the_official_ids_and_decode()
    {
        Assert.Equal(457, TokenizerCase.All.Count);
        var failures = new List<string>();
        foreach (var c in TokenizerCase.All)
        {
            var ids = Tokenizer.EncodeWithMarkers(c.Text, contextLength: int.MaxValue);
            if (!ids.SequenceEqual(c.Ids))
                failures.Add($"line {c.Line} {JsonSerializer.Serialize(c.Text)}: " +
                    $"ids [{string.Join(" ", ids)}] expected [{string.Join(" ", c.Ids)}]");
            string decoded = Tokenizer.Decode(c.Ids[1..^1]);
            if (decoded != c.Decoded)
                failures.Add($"line {c.Line}: decode {JsonSerializer.Serialize(decoded)} " +
                    $"expected {JsonSerializer.Serialize(c.Decoded)}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n{string.Join("\n", failures.Take(30))}");
    }
}
