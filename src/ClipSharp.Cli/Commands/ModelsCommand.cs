using ClipSharp.Settings;
using ClipSharp.Loading;
using System.CommandLine;
using System.Text.Json.Nodes;
using ClipSharp.Checkpoints;
using ClipSharp.Cli.Rendering;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip models</c>: the released models and which are present in weights/.</summary>
sealed class ModelsCommand : Command
{
    readonly CliContext context;
    readonly Option<string?> format = OutputFormat.Option([OutputFormat.Table, OutputFormat.Csv, OutputFormat.Json]);

    public ModelsCommand(CliContext context)
        : base("models", "List the released models and which are present in weights/")
    {
        this.context = context;
        Options.Add(format);
        SetAction(Run);
    }

    int Run(ParseResult parse)
    {
        string weights = ClipSettings.Current.WeightsDirectory;
        var rows = ModelRegistry.Models.Select(m =>
        {
            var path = Path.Combine(weights, m.File);
            return (m.Name, m.File, Size: File.Exists(path) ? new FileInfo(path).Length : (long?)null);
        }).ToList();
        if (parse.GetValue(format) == OutputFormat.Json)
        {
            context.Output.WriteLine(new JsonObject
            {
                ["weights"] = weights,
                ["models"] = new JsonArray([.. rows.Select(r => (JsonNode)new JsonObject
                {
                    ["name"] = r.Name, ["file"] = r.File, ["present"] = r.Size is not null, ["bytes"] = r.Size,
                })]),
            }.ToJsonString(new() { WriteIndented = true }));
            return 0;
        }
        var table = new TextTable("name", "status", "file");
        foreach (var (name, file, size) in rows) table.Add(name, size is long b ? $"{b / 1048576} MiB" : "-", file);
        table.Write(context, parse.GetValue(format)!);
        if (parse.GetValue(format) == OutputFormat.Table) context.Output.WriteLine($"weights folder: {weights}");
        return 0;
    }
}
