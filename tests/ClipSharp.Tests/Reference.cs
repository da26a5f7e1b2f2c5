using ClipSharp.Loading;
using ClipSharp.Checkpoints;
using static TorchSharp.torch;
using ClipSharp.Settings;

namespace ClipSharp.Tests;

/// <summary>The ground truth made by the official code: <c>CLIP_REFERENCE_DIR</c>, else <c>../shared/reference</c>
/// beside the workspace. Missing data fails the test that needs it, loudly.</summary>
public static class Reference
{
    public static string Directory { get; } = Find();

    static string Find()
    {
        if (Environment.GetEnvironmentVariable("CLIP_REFERENCE_DIR") is { Length: > 0 } env) return env;
        return Path.GetFullPath(Path.Combine(ClipSettings.Current.Root, "..", "shared", "reference"));
    }

    public static string File(params string[] parts)
    {
        string path = Path.Combine([Directory, .. parts]);
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"Reference data '{path}' is missing: set CLIP_REFERENCE_DIR " +
                "or place shared/reference beside the workspace", path);
        return path;
    }

    public static string Images => Path.GetDirectoryName(File("images", "labels.csv"))!;
    public static string Vocab => File("bpe_simple_vocab_16e6.txt.gz");
    public static string Model(string name) => File("models", name);

    public static Checkpoint Expected(string model) => SafeTensors.Read(Model($"{model}.expected.safetensors"));

    static readonly Lazy<ClipSharp.Text.BpeVocabulary> vocabulary =
        new(() => ClipSharp.Text.BpeVocabulary.Load(Vocab, ModelRegistry.Vocabulary.Sha256));
    /// <summary>The reference vocab, verified against the released hash; immutable, so shared by the tests.</summary>
    public static ClipSharp.Text.BpeVocabulary Vocabulary => vocabulary.Value;

    static readonly Lazy<ClipSharp.Text.ClipTokenizer> tokenizer = new(() => ClipSharp.Text.ClipTokenizer.Load(Vocab));
    public static ClipSharp.Text.ClipTokenizer Tokenizer => tokenizer.Value;
}
