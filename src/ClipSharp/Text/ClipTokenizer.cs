using System.Collections.Concurrent;
using System.Text;
using static TorchSharp.torch;

namespace ClipSharp.Text;

/// <summary>The official CLIP tokenizer: clean, split, byte-encode, rank-ordered BPE with <c>&lt;/w&gt;</c> word ends.
/// Thread-safe; BPE results are cached per word.</summary>
public sealed class ClipTokenizer
{
    public const int StartOfText = 49406;
    public const int EndOfText = 49407;
    public const int DefaultContextLength = 77;

    readonly BpeVocabulary vocab;
    readonly ConcurrentDictionary<string, int[]> cache = new();

    public ClipTokenizer(BpeVocabulary vocab) => this.vocab = vocab;

    /// <summary>A tokenizer over the vocab at <paramref name="vocabPath"/>, or found through <c>CLIP_VOCAB</c> / <c>weights/</c>.</summary>
    public static ClipTokenizer Load(string? vocabPath = null) => new(BpeVocabulary.Load(BpeVocabulary.Locate(vocabPath)));

    // PublicationOnly: a failure (no vocab yet) is not cached, so a notebook works once the vocab is downloaded.
    static readonly Lazy<ClipTokenizer> shared = new(() => Load(), LazyThreadSafetyMode.PublicationOnly);
    /// <summary>The tokenizer over the vocab found through <c>CLIP_VOCAB</c> or <c>weights/</c>, loaded once.</summary>
    public static ClipTokenizer Default => shared.Value;

    /// <summary>Token ids of a text, without SOT and EOT.</summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>();
        foreach (var piece in PreTokenizer.Split(TextCleaner.Clean(text)))
            ids.AddRange(cache.GetOrAdd(piece, Bpe));
        return [.. ids];
    }

    /// <summary>Ids with SOT and EOT, unpadded; longer than <paramref name="contextLength"/> only when not truncating.</summary>
    public int[] EncodeWithMarkers(string text, int contextLength = DefaultContextLength, bool truncate = false)
    {
        int[] ids = [StartOfText, .. Encode(text), EndOfText];
        if (ids.Length > contextLength && truncate)
        {
            ids = ids[..contextLength];
            ids[^1] = EndOfText;
        }
        return ids;
    }

    /// <summary>The text of ids (SOT/EOT included if given); word ends become spaces; invalid UTF-8 becomes U+FFFD.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var symbols = string.Concat(ids.Select(id => vocab.Decoder[id]));
        var bytes = symbols.Select(c => BpeVocabulary.ByteDecoder[c]).ToArray();
        return Encoding.UTF8.GetString(bytes).Replace("</w>", " ");
    }

    /// <summary>As <c>clip.tokenize</c>: int32 [n, contextLength], SOT … EOT then zeros. A text that does not fit is an
    /// error naming it, unless <paramref name="truncate"/> (then its last kept token becomes EOT).</summary>
    public static Tensor Tokenize(IEnumerable<string> texts, int contextLength = DefaultContextLength, bool truncate = false, ClipTokenizer? tokenizer = null)
    {
        tokenizer ??= Default;
        var list = texts.ToList();
        var result = new int[list.Count * contextLength];
        for (int i = 0; i < list.Count; i++)
        {
            var ids = tokenizer.EncodeWithMarkers(list[i], contextLength, truncate);
            if (ids.Length > contextLength) throw new ArgumentException(TooLongMessage(list[i], ids.Length, contextLength));
            ids.CopyTo(result, i * contextLength);
        }
        return tensor(result, [list.Count, contextLength], ScalarType.Int32);
    }

    public static string TooLongMessage(string text, int tokens, int contextLength) =>
        $"Text \"{Shorten(text)}\" is {tokens} tokens; the context length is {contextLength} (use truncate)";

    /// <summary>A text cut to 60 characters for messages.</summary>
    public static string Shorten(string text) => text.Length > 60 ? text[..57] + "…" : text;

    /// <summary>The merges BPE applies to one pre-tokenized piece, in order: the pair, its rank, the symbols after.</summary>
    public IReadOnlyList<BpeStep> MergeSteps(string piece)
    {
        var steps = new List<BpeStep>();
        Merge(piece, steps);
        return steps;
    }

    /// <summary>A piece's starting symbols: one per UTF-8 byte (as its printable stand-in), the last marked as a word end.</summary>
    public static List<string> ByteSymbols(string piece)
    {
        var word = Encoding.UTF8.GetBytes(piece).Select(b => BpeVocabulary.ByteEncoder[b].ToString()).ToList();
        word[^1] += "</w>";
        return word;
    }

    int[] Bpe(string piece) => vocab.Encoder.TryGetValue(piece, out int special) && piece.StartsWith("<|")
        ? [special]
        : [.. Merge(piece, null).Select(w => vocab.Encoder[w])];

    /// <summary>Merges the lowest-ranked adjacent pair (every occurrence of it) until no pair has a rank.</summary>
    List<string> Merge(string piece, List<BpeStep>? steps)
    {
        var word = ByteSymbols(piece);
        while (word.Count > 1)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i + 1 < word.Count; i++)
                if (vocab.MergeRanks.TryGetValue((word[i], word[i + 1]), out int rank) && rank < bestRank) (best, bestRank) = (i, rank);
            if (best < 0) break;
            var (first, second) = (word[best], word[best + 1]);
            var merged = new List<string>(word.Count);
            for (int i = 0; i < word.Count; i++)
            {
                if (i + 1 < word.Count && word[i] == first && word[i + 1] == second) { merged.Add(first + second); i++; }
                else merged.Add(word[i]);
            }
            word = merged;
            steps?.Add(new BpeStep(first, second, bestRank, word));
        }
        return word;
    }
}
