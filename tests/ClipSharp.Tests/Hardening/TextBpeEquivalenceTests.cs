using ClipSharp.Tests.Text;
using ClipSharp.Text;

namespace ClipSharp.Tests.Hardening;

/// <summary>The O(n log n) merge gives the ids of the official (quadratic) loop, which stays as the oracle.
/// </summary>
public class TextBpeEquivalenceTests
{

    [Fact]
    public void Every_merge_is_made_of_symbols_that_exist_before_it()
    {
        // RankedMerge relies on this: a merged symbol only takes part in merges ranked after the one that made it.
        var v = Reference.Vocabulary;
        var madeAt = new Dictionary<string, int>();
        foreach (var ((first, second), rank) in v.MergeRanks.OrderBy(m => m.Value))
        {
            foreach (var part in new[] { first, second })
            {
                bool isByte = part.Length == 1 || part.Length == 5 && part.EndsWith("</w>");
                Assert.True(isByte || madeAt.TryGetValue(part, out int made) && made < rank,
                    $"merge {rank} ({first}, {second}): '{part}' is made by no earlier merge");
            }
            madeAt.TryAdd(first + second, rank);
        }
        Assert.Equal(BpeVocabulary.MergeCount, v.MergeRanks.Count);
    }

    [Fact]
    public void The_fast_merge_equals_the_official_loop_on_every_reference_piece()
    {
        var tokenizer = new ClipTokenizer(Reference.Vocabulary);
        var pieces = TokenizerCase.All.SelectMany(c => PreTokenizer.Split(TextCleaner.Clean(c.Text)))
            .Distinct().ToList();
        Assert.True(pieces.Count > 500);
        foreach (var piece in pieces.Where(p => !p.StartsWith("<|")))
            Assert.Equal(Official(tokenizer, piece), FastMerge(piece));
    }

    [Theory]
    [InlineData("ab", 2000)]          // runs and repeats: pairs of one rank that overlap ("aaa")
    [InlineData("aeiou", 2000)]
    [InlineData("etaoinshrdlu", 2000)]
    [InlineData("0123456789!?.-", 500)]
    [InlineData("éßøあ中😀", 500)]
    public void The_fast_merge_equals_the_official_loop_on_random_words(string alphabet, int count)
    {
        var tokenizer = new ClipTokenizer(Reference.Vocabulary);
        var runes = alphabet.EnumerateRunes().Select(r => r.ToString()).ToArray();
        var random = new Random(alphabet.Length * 7919 + count);
        for (int i = 0; i < count; i++)
        {
            int length = random.Next(1, i % 50 == 0 ? 400 : 40);
            string piece = string.Concat(Enumerable.Range(0, length).Select(_ => runes[random.Next(runes.Length)]));
            Assert.Equal(Official(tokenizer, piece), FastMerge(piece));
        }
    }

    static List<int> Official(ClipTokenizer tokenizer, string piece) =>
        [.. tokenizer.Merge(piece, null).Select(symbol => Reference.Vocabulary.Encoder[symbol])];

    static List<int> FastMerge(string piece) => RankedMerge.Apply(
        [.. ClipTokenizer.ByteSymbols(piece).Select(symbol => Reference.Vocabulary.Encoder[symbol])],
        Reference.Vocabulary.MergesById);
}
