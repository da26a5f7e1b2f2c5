using System.CommandLine;
using System.Text.Json.Nodes;
using ClipSharp.Cli.OptionGroups;
using ClipSharp.Cli.Rendering;
using ClipSharp.Text;
using ClipSharp.Loading;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip tokenize "text"… | - | --text-file FILE | --input FILE</c>: the official token ids of each
/// text (SOT … EOT, unpadded), one line each, or as a table, CSV or JSON.</summary>
sealed class TokenizeCommand : Command
{
    readonly CliContext context;
    readonly TextSources texts = new();
    readonly Option<int> contextLength = new Option<int>("--context-length")
    {
        Description = "The model's context length", DefaultValueFactory = _ => ClipTokenizer.DefaultContextLength,
    }.Check(n => n < 2 ? $"--context-length must be at least 2; got {n}" : null);
    readonly Option<bool> truncate = new("--truncate")
    {
        Description = "Cut texts longer than the context as clip.tokenize(truncate=True) does (last kept token " +
            "becomes EOT)",
    };
    readonly Option<string?> vocab = new ModelOptions().Vocab;
    readonly Option<string?> format = OutputFormat.Option(
        [OutputFormat.Table, OutputFormat.Csv, OutputFormat.Json], defaultFormat: null);

    public TokenizeCommand(CliContext context)
        : base("tokenize", "Print the official CLIP token ids of each text (SOT and EOT included, unpadded); " +
            "by default one line of ids per text")
    {
        this.context = context;
        texts.AddTo(this);
        Options.Add(contextLength);
        Options.Add(truncate);
        Options.Add(vocab);
        Options.Add(format);
        SetAction(Run);
    }

    int Run(ParseResult parse)
    {
        int length = parse.GetValue(contextLength);
        var all = texts.Read(parse, context.Input);
        var tokenizer = ClipTokenizer.Load(parse.GetValue(vocab));
        var ids = new int[all.Count][];
        var errors = new TextException?[all.Count];
        Parallel.For(0, all.Count, i =>
        {
            try { ids[i] = tokenizer.EncodeWithMarkers(all[i].Text, length, parse.GetValue(truncate)); }
            catch (TextException e) { errors[i] = new TextException($"{all[i].Origin}: {e.Message}", e); }
        });
        if (errors.FirstOrDefault(e => e is not null) is { } first) throw first;
        for (int i = 0; i < ids.Length; i++)
            if (ids[i].Length > length)
                context.Error.WriteLine($"warning: {all[i].Origin}: " +
                    ClipTokenizer.TooLongMessage(all[i].Text, ids[i].Length, length));
        Write(parse.GetValue(format), all, ids);
        return 0;
    }

    void Write(string? format, List<SourcedText> all, int[][] ids)
    {
        if (format is null)
        {
            foreach (var line in ids) context.Output.WriteLine(string.Join(' ', line));
            return;
        }
        if (format == OutputFormat.Json)
        {
            context.Output.WriteLine(new JsonArray([.. all.Select((t, i) => (JsonNode)new JsonObject
            {
                ["text"] = t.Text, ["source"] = t.Origin,
                ["ids"] = new JsonArray([.. ids[i].Select(id => (JsonNode)id)]),
            })]).ToJsonString(new() { WriteIndented = true }));
            return;
        }
        var table = new TextTable("text", "tokens", "ids").AlignRight(1);
        for (int i = 0; i < ids.Length; i++) table.Add(all[i].Text, $"{ids[i].Length}", string.Join(' ', ids[i]));
        table.Write(context, format);
    }
}
