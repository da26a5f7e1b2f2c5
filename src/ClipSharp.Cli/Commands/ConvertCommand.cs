using System.CommandLine;
using ClipSharp.Checkpoints;
using ClipSharp.Modeling;
using static TorchSharp.torch;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip convert IN OUT.safetensors</c>: a released or torch.save checkpoint to safetensors, checked first.</summary>
static class ConvertCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Argument<string>("input") { Description = "A released TorchScript .pt, a torch.save state dict, or safetensors" };
        var output = new Argument<string>("output")
            { Description = $"The .safetensors file to write ({OutputPath.HelpNote})" };
        var dtype = new Option<string>("--dtype") { Description = "Floating-point tensors are written as float32 (default) or float16", DefaultValueFactory = _ => "float32" };
        dtype.AcceptOnlyFromAmong("float32", "float16");
        var command = new Command("convert", "Convert a CLIP checkpoint to safetensors (config in its metadata)") { input, output, dtype };
        command.SetAction(parse =>
        {
            string source = parse.GetValue(input)!, target = parse.GetValue(output)!;
            var type = parse.GetValue(dtype) == "float16" ? ScalarType.Float16 : ScalarType.Float32;
            OutputPath.Check(target, [source]);
            using var checkpoint = CheckpointReader.Read(source);
            ClipConfig config;
            using (var check = ClipModel.FromStateDict(checkpoint.Tensors, source)) config = check.Config; // a complete, consistent CLIP state dict
            var converted = FloatTypeConversion.Convert(checkpoint.Tensors, type, source); // no silent ±Inf
            try
            {
                SafeTensors.Write(target, converted, new Dictionary<string, string> { ["config"] = config.ToJson(), ["source"] = Path.GetFileName(source) });
            }
            finally
            {
                foreach (var (k, t) in converted) if (!ReferenceEquals(t, checkpoint.Tensors[k])) t.Dispose();
            }
            context.Output.WriteLine($"{target}: {converted.Count} tensors, {config}");
            return 0;
        });
        return command;
    }
}
