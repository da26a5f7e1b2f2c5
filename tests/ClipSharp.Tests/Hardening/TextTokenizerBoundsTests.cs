using ClipSharp.Tests.Text;
using ClipSharp.Text;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Hardening;

/// <summary>The tokenizer's work is bounded by what can fit: hopeless texts are refused before BPE, truncation encodes
/// only the words it keeps, and neither changes a single id of what the official tokenizer gives.</summary>
public class TextTokenizerBoundsTests
{
    static ClipTokenizer Fresh() => new(Reference.Vocabulary);

    [Fact]
    public void A_one_word_prompt_too_long_to_fit_is_refused_without_any_BPE()
    {
        var tokenizer = Fresh();
        string text = new('a', ClipTokenizer.MaxTextLength);
        var e = Assert.Throws<TextException>(() => tokenizer.EncodeToFit(text));
        Assert.StartsWith($"Text \"{new string('a', 57)}…\" is at least ", e.Message);
        Assert.EndsWith("tokens; the context length is 77 (shorten it, or truncate)", e.Message);
        Assert.Equal(0, tokenizer.BpeRuns);
        Assert.Throws<TextException>(() => ClipTokenizer.Tokenize([text], tokenizer: tokenizer));
        Assert.Equal(0, tokenizer.BpeRuns);
    }

    [Fact]
    public void The_longest_text_of_short_words_is_refused_without_any_BPE()
    {
        var tokenizer = Fresh();
        string text = string.Concat(Enumerable.Repeat("glasses ", ClipTokenizer.MaxTextLength / 8));
        var e = Assert.Throws<TextException>(() => tokenizer.EncodeToFit(text));
        // One id a word at least, with SOT and EOT.
        Assert.Contains($"is at least {ClipTokenizer.MaxTextLength / 8 + 2} tokens", e.Message);
        Assert.Equal(0, tokenizer.BpeRuns);
    }

    [Fact]
    public void A_megabyte_text_is_refused_by_its_length_even_when_truncating()
    {
        var tokenizer = Fresh();
        string text = new('x', 1 << 20);
        foreach (var encode in new Func<int[]>[]
        {
            () => tokenizer.EncodeWithMarkers(text, truncate: true), () => tokenizer.EncodeWithMarkers(text),
            () => tokenizer.Encode(text), () => tokenizer.EncodeToFit(text, truncate: true),
        })
        {
            var e = Assert.Throws<TextException>(encode);
            Assert.Contains($"is {1 << 20:N0} characters; the limit is {ClipTokenizer.MaxTextLength:N0}", e.Message);
        }
        Assert.Equal(0, tokenizer.BpeRuns);
    }

    [Fact]
    public void Truncation_runs_BPE_only_on_the_words_it_keeps()
    {
        var tokenizer = Fresh();
        var words = Enumerable.Range(0, 8_000).Select(i => $"w{i:x}q");   // distinct words, none cached
        var ids = tokenizer.EncodeWithMarkers(string.Join(' ', words), truncate: true);
        Assert.Equal(77, ids.Length);
        Assert.Equal(ClipTokenizer.EndOfText, ids[^1]);
        Assert.InRange(tokenizer.BpeRuns, 1, 76);
    }

    [Fact]
    public void Truncating_the_longest_one_word_text_gives_the_first_ids_of_its_whole_encoding()
    {
        var tokenizer = Fresh();
        var random = new Random(11);
        string word = string.Concat(
            Enumerable.Range(0, ClipTokenizer.MaxTextLength).Select(_ => (char)('a' + random.Next(26))));
        var truncated = tokenizer.EncodeWithMarkers(word, truncate: true);
        var whole = tokenizer.EncodeWithMarkers(word);
        Assert.Equal(77, truncated.Length);
        Assert.Equal(whole[..76], truncated[..76]);
        Assert.Equal(ClipTokenizer.EndOfText, truncated[^1]);
        Assert.Equal(word, tokenizer.Decode(whole[1..^1]).TrimEnd(' '));
        Assert.Throws<TextException>(() => tokenizer.EncodeToFit(word));
    }

    [Theory]
    [InlineData(77)]
    [InlineData(16)]
    [InlineData(5)]
    [InlineData(2)]
    public void Every_reference_case_truncates_and_refuses_exactly_as_before(int contextLength)
    {
        var tokenizer = Fresh();
        Assert.Equal(457, TokenizerCase.All.Count);
        foreach (var c in TokenizerCase.All)
        {
            // Today's rule: cut the whole encoding to the context, last kept id becomes EOT.
            int[] expected = c.Ids.Length <= contextLength
                ? c.Ids
                : [.. c.Ids[..(contextLength - 1)], ClipTokenizer.EndOfText];
            Assert.Equal(expected, tokenizer.EncodeWithMarkers(c.Text, contextLength, truncate: true));
            Assert.Equal(expected, tokenizer.EncodeToFit(c.Text, contextLength, truncate: true));
            Assert.Equal(c.Ids, tokenizer.EncodeWithMarkers(c.Text, contextLength));
            if (c.Ids.Length <= contextLength) Assert.Equal(c.Ids, tokenizer.EncodeToFit(c.Text, contextLength));
            else
            {
                var e = Assert.Throws<TextException>(() => tokenizer.EncodeToFit(c.Text, contextLength));
                Assert.Equal(ClipTokenizer.TooLongMessage(c.Text, c.Ids.Length, contextLength), e.Message);
            }
        }
    }

    [Fact]
    public void The_lower_bound_never_exceeds_the_real_count_on_the_reference_cases()
    {
        var tokenizer = Fresh();
        foreach (var c in TokenizerCase.All)
        {
            var pieces = PreTokenizer.Split(TextCleaner.Clean(c.Text));
            Assert.InRange(tokenizer.MinimumTokens(pieces), Math.Min(1, pieces.Count), c.Ids.Length - 2);
        }
    }

    [Fact]
    public void Deeply_nested_entities_are_refused_instead_of_cleaned_round_after_round()
    {
        // ftfy peels one "&amp;" level a round, so this would cost thousands of passes over the whole text.
        string nested = "&amp;" + string.Concat(Enumerable.Repeat("amp;", 10_000));
        var e = Assert.Throws<TextException>(() => Fresh().EncodeWithMarkers(nested, truncate: true));
        Assert.Contains("still changes after 64 rounds of cleaning", e.Message);
        // A few levels still clean as ftfy does.
        Assert.Equal("&", TextCleaner.Clean("&amp;" + string.Concat(Enumerable.Repeat("amp;", 50))));
    }

    [Fact]
    public void A_context_shorter_than_SOT_and_EOT_is_refused()
    {
        var e = Assert.Throws<TextException>(() => Fresh().EncodeWithMarkers("a cat", 1, truncate: true));
        Assert.Contains("at least 2", e.Message);
    }

    [Fact]
    public void A_tensor_context_of_a_billion_is_refused_before_allocating()
    {
        var e = Assert.Throws<TextException>(
            () => ClipTokenizer.Tokenize(["a cat"], 1_000_000_000, tokenizer: Fresh()));
        Assert.Throws<TextException>(() => ClipTokenizer.Tokenize([], -5, tokenizer: Fresh()));
        Assert.Contains("context length 1000000000 is beyond", e.Message);
    }

    [Fact]
    public void Decoding_an_id_outside_the_vocabulary_names_it()
    {
        var e = Assert.Throws<TextException>(() => Fresh().Decode([320, 49408]));
        Assert.Contains("Token id 49408 is not in the vocabulary", e.Message);
        Assert.Throws<TextException>(() => Fresh().Decode([-1]));
    }

    [Fact]
    public void The_cache_stays_bounded_and_skips_long_pieces()
    {
        var tokenizer = new ClipTokenizer(Reference.Vocabulary, maxCacheEntries: 100);
        for (int i = 0; i < 1000; i++) tokenizer.Encode($"w{i:x}q");
        Assert.InRange(tokenizer.CachedPieces, 1, 100);

        string longWord = new('z', 500);
        long before = tokenizer.BpeRuns;
        tokenizer.Encode(longWord);
        tokenizer.Encode(longWord);
        Assert.Equal(before + 2, tokenizer.BpeRuns);
        tokenizer.Encode("glasses");
        tokenizer.Encode("glasses");
        Assert.Equal(before + 3, tokenizer.BpeRuns);
    }
}
