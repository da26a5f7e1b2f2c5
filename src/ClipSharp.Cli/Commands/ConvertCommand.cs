using System.CommandLine;
using ClipSharp.Checkpoints;
using ClipSharp.Cli.OptionGroups;
using ClipSharp.Modeling;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip convert IN OUT.safetensors</c>: a released or torch.save checkpoint to safetensors, checked
/// first.</summary>
sealed class ConvertCommand : Command
{
    readonly CliContext context;
    readonly Argument<string> input = new("input")
    {
        Description = "A released TorchScript .pt, a torch.save state dict, or safetensors",
    };
    readonly Argument<string> output = new("output")
    {
        Description = $"The .safetensors file to write ({OutputPath.HelpNote})",
    };
    readonly Option<string> dtype = DTypes.Option("The type floating-point tensors are written in",
        DTypes.Fp32, DTypes.Fp16);

    public ConvertCommand(CliContext context)
        : base("convert", "Convert a CLIP checkpoint to safetensors (config in its metadata)")
    {
        this.context = context;
        Arguments.Add(input);
        Arguments.Add(output);
        Options.Add(dtype);
        SetAction(Run);
    }

    int Run(ParseResult parse)
    {
        string source = parse.GetValue(input)!, target = parse.GetValue(output)!;
        var type = DTypes.ScalarType(parse.GetValue(dtype)!);
        OutputPath.Check(target, [source]);
        using var checkpoint = CheckpointReader.Read(source);
        ClipConfig config;
        // a complete, consistent CLIP state dict before anything is written
        using (var check = ClipModel.FromStateDict(checkpoint.Tensors, source)) config = check.Config;
        var converted = FloatTypeConversion.Convert(checkpoint.Tensors, type, source); // no silent ±Inf
        try
        {
            SafeTensors.Write(target, converted, new Dictionary<string, string>
            {
                ["config"] = config.ToJson(), ["source"] = Path.GetFileName(source),
            });
        }
        finally
        {
            foreach (var (k, t) in converted) if (!ReferenceEquals(t, checkpoint.Tensors[k])) t.Dispose();
        }
        context.Output.WriteLine($"{target}: {converted.Count} tensors, {config}");
        return 0;
    }
}
