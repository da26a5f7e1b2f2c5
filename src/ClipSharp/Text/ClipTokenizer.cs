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

    /// <summary>The longest text any method here accepts, in UTF-16 characters: far beyond any context (77 tokens
    /// are a few hundred characters), small enough that cleaning, splitting and BPE of one enormous word stay fast.
    /// </summary>
    public const int MaxTextLength = 1 << 16;
    // Texts that cannot fit are counted exactly up to this size (a cheap BPE); beyond it, by a lower bound alone.
    const int ExactCountBytes = 4096;
    // The cache holds common words: long pieces are not kept, and it starts over when full.
    const int MaxCachedPieceLength = 64;
    const int DefaultCacheEntries = 50_000;
    const int MaxTensorContextLength = 1 << 14;

    readonly BpeVocabulary vocab;
    readonly ConcurrentDictionary<string, int[]> cache = new();
    readonly int maxCacheEntries;
    int cacheAdds;
    long bpeRuns;

    public ClipTokenizer(BpeVocabulary vocab) : this(vocab, DefaultCacheEntries) { }

    internal ClipTokenizer(BpeVocabulary vocab, int maxCacheEntries) =>
        (this.vocab, this.maxCacheEntries) = (vocab, maxCacheEntries);

    /// <summary>How many pieces went through BPE (cache misses): tests check hopeless texts are refused first.
    /// </summary>
    internal long BpeRuns => Interlocked.Read(ref bpeRuns);
    internal int CachedPieces => cache.Count;

    /// <summary>Token ids of a text, without SOT and EOT.</summary>
    public int[] Encode(string text) => [.. EncodePieces(Pieces(text), int.MaxValue)];

    /// <summary>Ids with SOT and EOT, unpadded; longer than <paramref name="contextLength"/> only when not truncating.
    /// Truncating runs BPE only on the words that are kept.</summary>
    public int[] EncodeWithMarkers(string text, int contextLength = DefaultContextLength, bool truncate = false)
    {
        CheckContextLength(contextLength);
        var pieces = Pieces(text);
        if (!truncate) return [StartOfText, .. EncodePieces(pieces, int.MaxValue), EndOfText];
        // context − 1 ids are enough to know the text does not fit; then the first context − 2 are kept.
        var ids = EncodePieces(pieces, contextLength - 1);
        return ids.Count + 2 <= contextLength
            ? [StartOfText, .. ids, EndOfText]
            : [StartOfText, .. ids.Take(contextLength - 2), EndOfText];
    }

    /// <summary>Ids with SOT and EOT that fit in <paramref name="contextLength"/> (cut when
    /// <paramref name="truncate"/>), or a <see cref="TextException"/> naming the text and its token count; a text
    /// that cannot fit is refused before BPE when it is long ("at least N tokens").</summary>
    public int[] EncodeToFit(string text, int contextLength = DefaultContextLength, bool truncate = false)
    {
        if (truncate) return EncodeWithMarkers(text, contextLength, truncate: true);
        CheckContextLength(contextLength);
        var pieces = Pieces(text);
        long atLeast = MinimumTokens(pieces) + 2;
        if (atLeast > contextLength && pieces.Sum(p => (long)Encoding.UTF8.GetByteCount(p)) > ExactCountBytes)
            throw new TextException(TooLongMessage(text, atLeast, contextLength, lowerBound: true));
        int[] ids = [StartOfText, .. EncodePieces(pieces, int.MaxValue), EndOfText];
        if (ids.Length > contextLength) throw new TextException(TooLongMessage(text, ids.Length, contextLength));
        return ids;
    }

    /// <summary>A lower bound on the ids of pre-tokenized pieces (without SOT and EOT), found without BPE: a special
    /// token is one id; any other piece of N UTF-8 bytes is at least ⌈N / longest token⌉ ids.</summary>
    public long MinimumTokens(IEnumerable<string> pieces) => pieces.Sum(p => IsSpecial(p)
        ? 1L
        : (Encoding.UTF8.GetByteCount(p) + vocab.LongestTokenBytes - 1) / vocab.LongestTokenBytes);

    /// <summary>The text of ids (SOT/EOT included if given); word ends become spaces; invalid UTF-8 becomes U+FFFD.
    /// </summary>
    public string Decode(IEnumerable<int> ids)
    {
        var symbols = string.Concat(ids.Select(id => id >= 0 && id < vocab.Decoder.Count
            ? vocab.Decoder[id]
            : throw new TextException($"Token id {id} is not in the vocabulary (0 … {vocab.Decoder.Count - 1})")));
        var bytes = symbols.Select(c => BpeVocabulary.ByteDecoder[c]).ToArray();
        return Encoding.UTF8.GetString(bytes).Replace("</w>", " ");
    }

    /// <summary>As <c>clip.tokenize</c>: int32 [n, contextLength], SOT … EOT then zeros. A text that does not fit is
    /// an error naming it, unless <paramref name="truncate"/> (then its last kept token becomes EOT). The static
    /// <c>ClipTokenizer.Tokenize(texts)</c> over the released vocab comes with <c>ClipSharp.Loading</c>.</summary>
    public Tensor Tokenize(IEnumerable<string> texts, int contextLength = DefaultContextLength, bool truncate = false)
    {
        var list = texts.ToList();
        CheckContextLength(contextLength);
        // Every released model has 77; a checkpoint claiming far more would ask for gigabytes of zeros.
        if (contextLength > MaxTensorContextLength)
            throw new TextException($"The context length {contextLength} is beyond {MaxTensorContextLength}");
        if ((long)list.Count * contextLength > Array.MaxLength)
            throw new TextException($"{list.Count} texts × {contextLength} ids do not fit in one tensor; split them");
        var result = new int[list.Count * contextLength];
        for (int i = 0; i < list.Count; i++)
            EncodeToFit(list[i], contextLength, truncate).CopyTo(result, i * contextLength);
        return tensor(result, [list.Count, contextLength], ScalarType.Int32);
    }

    public static string TooLongMessage(string text, long tokens, int contextLength, bool lowerBound = false) =>
        $"Text \"{Shorten(text)}\" is {(lowerBound ? "at least " : "")}{tokens} tokens; " +
        $"the context length is {contextLength} (shorten it, or truncate)";

    /// <summary>A text cut to 60 characters for messages.</summary>
    public static string Shorten(string text) => text.Length > 60 ? text[..57] + "…" : text;

    /// <summary>A text longer than <see cref="MaxTextLength"/> is refused before any work on it.</summary>
    public static void CheckLength(string text)
    {
        if (text.Length > MaxTextLength)
            throw new TextException(
                $"Text \"{Shorten(text)}\" is {text.Length:N0} characters; the limit is {MaxTextLength:N0}");
    }

    static void CheckContextLength(int contextLength)
    {
        if (contextLength < 2)
            throw new TextException($"The context length must be at least 2 (SOT and EOT); got {contextLength}");
    }

    static List<string> Pieces(string text)
    {
        CheckLength(text);
        return PreTokenizer.Split(TextCleaner.Clean(text));
    }

    // The pieces' ids in order, stopping once there are at least `enough`: BPE of one piece never depends on another.
    List<int> EncodePieces(List<string> pieces, int enough)
    {
        var ids = new List<int>();
        foreach (var piece in pieces)
        {
            if (ids.Count >= enough) break;
            ids.AddRange(CachedBpe(piece));
        }
        return ids;
    }

    int[] CachedBpe(string piece)
    {
        if (cache.TryGetValue(piece, out var ids)) return ids;
        ids = Bpe(piece);
        if (piece.Length > MaxCachedPieceLength) return ids;
        if (Interlocked.Increment(ref cacheAdds) > maxCacheEntries)
        {
            cache.Clear();
            Interlocked.Exchange(ref cacheAdds, 1);
        }
        cache.TryAdd(piece, ids);
        return ids;
    }

    /// <summary>The merges BPE applies to one pre-tokenized piece, in order: the pair, its rank, the symbols after.
    /// </summary>
    public IReadOnlyList<BpeStep> MergeSteps(string piece)
    {
        // Each step keeps the whole word: fine for words, quadratic for a hostile one.
        if (piece.Length > MaxMergeStepsLength)
            throw new TextException(
                $"Piece \"{Shorten(piece)}\" is {piece.Length} characters; " +
                $"MergeSteps shows at most {MaxMergeStepsLength}");
        var steps = new List<BpeStep>();
        Merge(piece, steps);
        return steps;
    }

    /// <summary>A piece's starting symbols: one per UTF-8 byte (as its printable stand-in), the last marked as a word
    /// end.</summary>
    public static List<string> ByteSymbols(string piece)
    {
        var word = Encoding.UTF8.GetBytes(piece).Select(b => BpeVocabulary.ByteEncoder[b].ToString()).ToList();
        word[^1] += "</w>";
        return word;
    }

    const int MaxMergeStepsLength = 1000;

    int[] ByteIds(string piece)
    {
        var bytes = Encoding.UTF8.GetBytes(piece);
        var ids = new int[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
            ids[i] = i + 1 < bytes.Length ? vocab.ByteIds[bytes[i]] : vocab.WordEndByteIds[bytes[i]];
        return ids;
    }

    bool IsSpecial(string piece) => piece.StartsWith("<|") && vocab.Encoder.ContainsKey(piece);

    int[] Bpe(string piece)
    {
        Interlocked.Increment(ref bpeRuns);
        return IsSpecial(piece)
            ? [vocab.Encoder[piece]]
            : [.. RankedMerge.Apply(ByteIds(piece), vocab.MergesById)];
    }

    /// <summary>The official loop, step by step: merges the lowest-ranked adjacent pair (every occurrence of it) until
    /// no pair has a rank. Quadratic; <see cref="RankedMerge"/> gives the same symbols for encoding.</summary>
    internal List<string> Merge(string piece, List<BpeStep>? steps)
    {
        var word = ByteSymbols(piece);
        while (word.Count > 1)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i + 1 < word.Count; i++)
                if (vocab.MergeRanks.TryGetValue((word[i], word[i + 1]), out int rank) && rank < bestRank)
                    (best, bestRank) = (i, rank);
            if (best < 0) break;
            var (first, second) = (word[best], word[best + 1]);
            var merged = new List<string>(word.Count);
            for (int i = 0; i < word.Count; i++)
            {
                if (i + 1 < word.Count && word[i] == first && word[i + 1] == second)
                {
                    merged.Add(first + second);
                    i++;
                }
                else merged.Add(word[i]);
            }
            word = merged;
            steps?.Add(new BpeStep(first, second, bestRank, word));
        }
        return word;
    }
}
