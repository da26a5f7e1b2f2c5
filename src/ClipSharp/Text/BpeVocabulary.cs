using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace ClipSharp.Text;

/// <summary>The released BPE merges file (bpe_simple_vocab_16e6.txt.gz): the 48,894 ranked merges and the 49,408-entry
/// vocabulary built from them (256 byte symbols, the same with <c>&lt;/w&gt;</c>, one per merge, SOT, EOT).</summary>
public sealed class BpeVocabulary
{
    public const string FileName = "bpe_simple_vocab_16e6.txt.gz";
    public const int MergeCount = 49152 - 256 - 2;
    /// <summary>The largest vocabulary file read: the released one is about 1.3 MB.</summary>
    public const long MaxFileBytes = 64L << 20;

    /// <summary>Merge (first, second) → rank; built on first use (only the step-by-step <c>Merge</c> needs it).
    /// </summary>
    public IReadOnlyDictionary<(string, string), int> MergeRanks => mergeRanks.Value;
    public IReadOnlyDictionary<string, int> Encoder { get; }
    public IReadOnlyList<string> Decoder { get; }
    /// <summary>The most text bytes one token stands for: a word of N bytes is at least ⌈N / this⌉ tokens.
    /// </summary>
    public int LongestTokenBytes { get; }
    /// <summary>The merges by token ids: <see cref="PairKey"/>(first, second) → the merge's rank and the token it
    /// makes.</summary>
    internal IReadOnlyDictionary<long, (int Rank, int Merged)> MergesById { get; }
    /// <summary>The id of each byte's symbol, and of the same with <c>&lt;/w&gt;</c> (a word's last byte).</summary>
    internal int[] ByteIds { get; }
    internal int[] WordEndByteIds { get; }

    /// <summary>Byte → printable stand-in character, so that BPE never sees whitespace or control bytes.</summary>
    public static readonly char[] ByteEncoder = BuildByteEncoder();
    public static readonly IReadOnlyDictionary<char, byte> ByteDecoder =
        ByteEncoder.Select((c, b) => (c, b)).ToDictionary(x => x.c, x => (byte)x.b);

    readonly Lazy<Dictionary<(string, string), int>> mergeRanks;

    BpeVocabulary(List<(string First, string Second)> merges)
    {
        mergeRanks = new(() =>
        {
            var ranks = new Dictionary<(string, string), int>(merges.Count);
            for (int i = 0; i < merges.Count; i++) ranks[merges[i]] = i;
            return ranks;
        });
        var vocab = new List<string>(2 * 256 + merges.Count + 2);
        // The byte symbols in the official order: printable bytes first, then the rest (i.e. by stand-in character).
        var byteSymbols = ByteEncoder.Order().Select(c => c.ToString()).ToList();
        vocab.AddRange(byteSymbols);
        vocab.AddRange(byteSymbols.Select(c => c + "</w>"));
        foreach (var (first, second) in merges) vocab.Add(first + second);
        vocab.Add("<|startoftext|>");
        vocab.Add("<|endoftext|>");
        Decoder = vocab;
        var encoder = new Dictionary<string, int>(vocab.Count);
        for (int i = 0; i < vocab.Count; i++) encoder[vocab[i]] = i;
        Encoder = encoder;
        // Merge r makes token 512 + r: the vocabulary lists the merged symbols after the 512 byte symbols.
        var byId = new Dictionary<long, (int Rank, int Merged)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
            byId[PairKey(encoder[merges[rank].First], encoder[merges[rank].Second])] = (rank, 2 * 256 + rank);
        MergesById = byId;
        // One stand-in character per byte; the word-end mark is no byte.
        ByteIds = [.. ByteEncoder.Select(c => encoder[c.ToString()])];
        WordEndByteIds = [.. ByteEncoder.Select(c => encoder[c + "</w>"])];
        LongestTokenBytes = vocab.Take(vocab.Count - 2).Max(v => v.EndsWith("</w>") ? v.Length - 4 : v.Length);
    }

    internal static long PairKey(int first, int second) => ((long)first << 32) | (uint)second;

    /// <summary>Loads the gz merges file after checking its SHA-256 against <paramref name="expectedSha256"/> (the
    /// released file's: the tokenizer's rules are those of that file alone).</summary>
    public static BpeVocabulary Load(string path, string expectedSha256)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The CLIP BPE vocabulary ({FileName}) was not found at '{path}'", path);
        // Read once, bounded, and only from a regular file: the hash and the merges come from the same bytes.
        byte[] data = RegularFile.ReadAll(path, MaxFileBytes,
            (problem, inner) => new TextException($"Vocabulary '{path}' {problem}", inner));
        string sha = Convert.ToHexStringLower(SHA256.HashData(data));
        if (!sha.Equals(expectedSha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"Vocabulary '{path}' has SHA-256 {sha}, expected " +
                $"{expectedSha256.ToLowerInvariant()} (the released {FileName}); download it again");
        // The file holds 262,144 merges; CLIP uses the first ones only, so the rest is never decompressed.
        using var gz = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var reader = new StreamReader(gz, Encoding.UTF8);
        reader.ReadLine(); // the version line
        var merges = new List<(string, string)>(MergeCount);
        while (merges.Count < MergeCount && reader.ReadLine() is { } line)
        {
            int space = line.IndexOf(' ');
            merges.Add((line[..space], line[(space + 1)..]));
        }
        return new BpeVocabulary(merges);
    }

    static char[] BuildByteEncoder()
    {
        var map = new char[256];
        bool Printable(int b) => b is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';
        int next = 256;
        for (int b = 0; b < 256; b++) map[b] = Printable(b) ? (char)b : (char)next++;
        return map;
    }
}
