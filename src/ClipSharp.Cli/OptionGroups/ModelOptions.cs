using ClipSharp.Loading;
using System.CommandLine;
using ClipSharp.Modeling;
using ClipSharp.Text;

namespace ClipSharp.Cli.OptionGroups;

/// <summary>The model group every verb that runs a model shares: <c>--model</c> (default RN50), <c>--dtype</c>
/// and <c>--vocab</c>, with the steps that read them.</summary>
sealed class ModelOptions
{
    public const string DefaultModel = "RN50";

    public Option<string> Model { get; } = new("--model", "-m")
    {
        Description = "A registry name (RN50, ViT-B/32, …; downloaded into weights/ and verified on first use) " +
            $"or a checkpoint path (.pt or .safetensors); default {DefaultModel}",
        DefaultValueFactory = _ => DefaultModel,
    };

    public Option<string> DType { get; } = DTypes.Option("The image tower's compute type: fp32 (exact) or bf16 " +
        "(about twice as fast on CPUs with AVX-512-BF16/AMX; cosine ≥ 0.999 to fp32)", DTypes.Fp32, DTypes.Bf16);

    public Option<string?> Vocab { get; } = new("--vocab")
    {
        Description = "The BPE vocab (bpe_simple_vocab_16e6.txt.gz); default: CLIP_VOCAB, then weights/",
    };

    public IEnumerable<Option> All => [Model, DType, Vocab];

    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
    }

    public string Name(ParseResult parse) => parse.GetValue(Model)!;

    public TorchSharp.torch.ScalarType ImageDType(ParseResult parse) => DTypes.ScalarType(parse.GetValue(DType)!);

    /// <summary>The model, downloaded and verified if it is a registry name, prepared in --dtype.</summary>
    public ClipModel Load(ParseResult parse, CliContext context) => ClipModel.Load(Name(parse),
        progress: context.DownloadProgress(), imageDType: ImageDType(parse));

    public ClipTokenizer Tokenizer(ParseResult parse) => ClipTokenizer.Load(parse.GetValue(Vocab));

    /// <summary>The vocab file the tokenizer reads (an input no output may replace).</summary>
    public string VocabPath(ParseResult parse) => ReleasedVocabulary.Locate(parse.GetValue(Vocab));
}
