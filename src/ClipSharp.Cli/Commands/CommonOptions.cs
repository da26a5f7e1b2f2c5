using System.CommandLine;

namespace ClipSharp.Cli.Commands;

/// <summary>Options several verbs share, described once.</summary>
static class CommonOptions
{
    public static Option<string> Model(bool required = true, string? defaultValue = null) => new("--model", "-m")
    {
        Description = "A registry name (RN50, ViT-B/32, …; downloaded into weights/ and verified on first use) or a checkpoint path (.pt or .safetensors)",
        Required = required && defaultValue is null,
        DefaultValueFactory = defaultValue is null ? null! : _ => defaultValue,
    };

    public static Option<string?> Vocab() => new("--vocab")
    {
        Description = "The BPE vocab (bpe_simple_vocab_16e6.txt.gz); default: CLIP_VOCAB, then weights/",
    };

    public static Option<string> DType()
    {
        var option = new Option<string>("--dtype")
        {
            Description = "The image tower's compute type: fp32 (exact) or bf16 (about twice as fast on CPUs with AVX-512-BF16/AMX; cosine ≥ 0.999 to fp32)",
            DefaultValueFactory = _ => "fp32",
        };
        option.AcceptOnlyFromAmong("fp32", "bf16");
        return option;
    }

    public static TorchSharp.torch.ScalarType ScalarTypeOf(string dtype) =>
        dtype == "bf16" ? TorchSharp.torch.ScalarType.BFloat16 : TorchSharp.torch.ScalarType.Float32;

    public static Option<string> Output(string description) => new("--output", "-o") { Description = description, Required = true };
}
