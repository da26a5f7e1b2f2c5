using System.CommandLine;
using System.CommandLine.Parsing;
using static TorchSharp.torch;

namespace ClipSharp.Cli.OptionGroups;

/// <summary>One dtype vocabulary for every verb: fp32, bf16, fp16, with float32, bfloat16 and float16 (PyTorch's
/// names) accepted as aliases everywhere; each verb says which of them it computes or writes in.</summary>
static class DTypes
{
    public const string Fp32 = "fp32", Bf16 = "bf16", Fp16 = "fp16";

    static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        [Fp32] = Fp32, ["float32"] = Fp32, [Bf16] = Bf16, ["bfloat16"] = Bf16, [Fp16] = Fp16, ["float16"] = Fp16,
    };

    /// <summary>The short name of a dtype or alias, or null when it is none of them.</summary>
    public static string? Normalize(string name) => Names.GetValueOrDefault(name.Trim());

    public static ScalarType ScalarType(string dtype) => Normalize(dtype) switch
    {
        Bf16 => TorchSharp.torch.ScalarType.BFloat16,
        Fp16 => TorchSharp.torch.ScalarType.Float16,
        _ => TorchSharp.torch.ScalarType.Float32,
    };

    /// <summary>A single <c>--dtype</c>, limited to <paramref name="supported"/> (the first is the default).</summary>
    public static Option<string> Option(string description, params string[] supported)
    {
        var option = new Option<string>("--dtype")
        {
            Description = $"{description}; default {supported[0]}",
            HelpName = string.Join('|', supported),
            DefaultValueFactory = _ => supported[0],
            CustomParser = result => Parse(result, result.Tokens.Single().Value, supported),
        };
        return option;
    }

    /// <summary>Several dtypes (<c>--dtype fp32 bf16</c>), each limited to <paramref name="supported"/>.</summary>
    public static Option<string[]> ListOption(string description, params string[] supported) => new("--dtype")
    {
        Description = description,
        HelpName = string.Join('|', supported),
        DefaultValueFactory = _ => supported,
        AllowMultipleArgumentsPerToken = true,
        CustomParser = result => [.. result.Tokens.Select(t => Parse(result, t.Value, supported))],
    };

    static string Parse(ArgumentResult result, string token, string[] supported)
    {
        string? name = Normalize(token);
        if (name is null)
            ValueChecks.Reject(result, $"--dtype '{token}' is not a dtype: give fp32, bf16 or fp16 " +
                "(float32, bfloat16 and float16 are the same)");
        else if (!supported.Contains(name))
            ValueChecks.Reject(result, $"--dtype {name} is not supported by {CommandName(result)}: give " +
                string.Join(" or ", supported));
        return name ?? supported[0];
    }

    static string CommandName(SymbolResult result)
    {
        for (var r = result.Parent; r is not null; r = r.Parent)
            if (r is CommandResult command) return $"clip {command.Command.Name}";
        return "this verb";
    }
}
