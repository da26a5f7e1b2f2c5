using ClipSharp.Text;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Text;

public class TokenizeTests
{
    static ClipTokenizer Tokenizer => Reference.Tokenizer;

    [Fact]
    public void Tokenize_pads_with_zero_to_context_length()
    {
        using var tokens = ClipTokenizer.Tokenize(["no glasses", "glasses"], tokenizer: Tokenizer);
        Assert.Equal(new long[] { 2, 77 }, tokens.shape);
        Assert.Equal(TorchSharp.torch.ScalarType.Int32, tokens.dtype);
        var first = tokens[0].data<int>().ToArray();
        Assert.Equal(Tokenizer.EncodeWithMarkers("no glasses"), first[..4]);
        Assert.Equal(49406, first[0]);
        Assert.Equal(49407, first[3]);
        Assert.All(first[4..], id => Assert.Equal(0, id));
    }

    [Fact]
    public void Too_long_text_is_an_error_naming_it_and_its_token_count()
    {
        var longCase = TokenizerCase.All.First(c => c.Ids.Length > 77);
        var e = Assert.Throws<TextException>(() => ClipTokenizer.Tokenize([longCase.Text], tokenizer: Tokenizer));
        Assert.StartsWith($"Text \"{longCase.Text[..57]}…\" is {longCase.Ids.Length} tokens; " +
            "the context length is 77 (shorten it, or truncate)", e.Message);
    }

    [Fact]
    public void Truncation_keeps_the_first_tokens_and_ends_with_EOT()
    {
        var longCase = TokenizerCase.All.First(c => c.Ids.Length > 77);
        using var tokens = ClipTokenizer.Tokenize([longCase.Text], truncate: true, tokenizer: Tokenizer);
        var ids = tokens[0].data<int>().ToArray();
        Assert.Equal(longCase.Ids[..76], ids[..76]);
        Assert.Equal(ClipTokenizer.EndOfText, ids[76]);
    }

    [Fact]
    public void Parallel_encodes_of_the_case_file_give_the_same_ids()
    {
        var fresh = ClipTokenizer.Load(Reference.Vocab); // an empty cache, so threads race to fill it
        var cases = TokenizerCase.All;
        var results = new int[cases.Count * 4][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => results[i] = fresh.EncodeWithMarkers(cases[i % cases.Count].Text, int.MaxValue));
        for (int i = 0; i < results.Length; i++) Assert.Equal(cases[i % cases.Count].Ids, results[i]);
    }

    [Fact]
    public void Decode_turns_word_ends_into_spaces()
    {
        Assert.Equal("a photo of a cat ", Tokenizer.Decode(Tokenizer.Encode("A photo of a CAT")));
    }

    [Fact]
    public void A_missing_vocab_says_how_to_get_it()
    {
        var e = Assert.Throws<FileNotFoundException>(
            () => ClipTokenizer.Load("/nonexistent/bpe_simple_vocab_16e6.txt.gz"));
        Assert.Contains("clip download RN50", e.Message);
        Assert.Contains("https://github.com/openai/CLIP/raw/main/clip/bpe_simple_vocab_16e6.txt.gz", e.Message);
    }

    [Fact]
    public void A_vocab_with_the_wrong_checksum_is_refused()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bad-vocab-{Guid.NewGuid():N}.txt.gz");
        File.WriteAllBytes(path, File.ReadAllBytes(Reference.Vocab)[..1000]);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => ClipTokenizer.Load(path));
            Assert.Contains($"Vocabulary '{path}' has SHA-256", e.Message);
        }
        finally { File.Delete(path); }
    }
}
