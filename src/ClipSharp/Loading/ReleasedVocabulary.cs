using ClipSharp.Settings;
using ClipSharp.Text;
using static TorchSharp.torch;

namespace ClipSharp.Loading;

/// <summary>The released BPE vocab: where it is found (<c>--vocab</c>, <c>CLIP_VOCAB</c>, the weights folder) and
/// the tokenizer over it. Adds <c>ClipTokenizer.Load</c>, <c>ClipTokenizer.Default</c>, the static
/// <c>ClipTokenizer.Tokenize</c> (clip.tokenize), all checked against the
/// registry's SHA-256.</summary>
public static class ReleasedVocabulary
{
    /// <summary>The vocab file from <paramref name="explicitPath"/>, <c>CLIP_VOCAB</c> or the weights folder,
    /// whichever comes first.</summary>
    public static string Locate(string? explicitPath = null)
    {
        if (explicitPath is not null) return explicitPath;
        var settings = ClipSettings.Current;
        string?[] candidates = [settings.VocabPath, Path.Combine(settings.WeightsDirectory, BpeVocabulary.FileName)];
        return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && File.Exists(c))
            ?? throw new FileNotFoundException(NotFoundMessage(candidates.Where(c => !string.IsNullOrEmpty(c))));
    }

    static string NotFoundMessage(IEnumerable<string?> looked) =>
        $"The CLIP BPE vocabulary ({BpeVocabulary.FileName}) was not found (looked at: {string.Join(", ", looked)}). " +
        $"Get it with `clip download RN50` (it comes with every model), or from {ModelRegistry.VocabularyUrl()} " +
        "into weights/, or point --vocab or CLIP_VOCAB at it.";

    // PublicationOnly: a failure (no vocab yet) is not cached, so a notebook works once the vocab is downloaded.
    static readonly Lazy<ClipTokenizer> shared =
        new(() => ClipTokenizer.Load(), LazyThreadSafetyMode.PublicationOnly);

    /// <summary>The vocab at <paramref name="path"/>, checked to be the released file.</summary>
    public static BpeVocabulary LoadFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException(NotFoundMessage([path]), path);
        return BpeVocabulary.Load(path, ModelRegistry.Vocabulary.Sha256);
    }

    extension(ClipTokenizer)
    {
        /// <summary>A tokenizer over the released vocab at <paramref name="vocabPath"/>, or found through
        /// <c>CLIP_VOCAB</c> / <c>weights/</c>.</summary>
        public static ClipTokenizer Load(string? vocabPath = null) =>
            new(LoadFile(Locate(vocabPath)));

        /// <summary>The tokenizer over the vocab found through <c>CLIP_VOCAB</c> or <c>weights/</c>, loaded
        /// once.</summary>
        public static ClipTokenizer Default => shared.Value;

        /// <summary>As <c>clip.tokenize</c>: int32 [n, contextLength] by <paramref name="tokenizer"/>, else by
        /// the default tokenizer.</summary>
        public static Tensor Tokenize(IEnumerable<string> texts, int contextLength = ClipTokenizer.DefaultContextLength,
            bool truncate = false, ClipTokenizer? tokenizer = null) =>
            (tokenizer ?? ClipTokenizer.Default).Tokenize(texts, contextLength, truncate);
    }
}
