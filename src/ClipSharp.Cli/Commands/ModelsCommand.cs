using System.CommandLine;
using ClipSharp.Checkpoints;
using ClipSharp.Loading;
using ClipSharp.Settings;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip models</c>: the released models and which are present in weights/.</summary>
static class ModelsCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("models", "List the released models and which are present in weights/");
        command.SetAction(_ =>
        {
            string weights = ClipSettings.Current.WeightsDirectory;
            context.Output.WriteLine($"{"name",-16} {"status",-12} file");
            foreach (var m in ModelRegistry.Models)
            {
                var path = Path.Combine(weights, m.File);
                string status = File.Exists(path) ? $"{new FileInfo(path).Length / 1048576} MiB" : "-";
                context.Output.WriteLine($"{m.Name,-16} {status,-12} {m.File}");
            }
            context.Output.WriteLine($"weights folder: {weights}");
            return 0;
        });
        return command;
    }
}
