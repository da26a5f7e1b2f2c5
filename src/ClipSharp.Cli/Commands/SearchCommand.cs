using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ClipSharp.Analyses;
using ClipSharp.Cli.OptionGroups;
using ClipSharp.Evaluation;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip search</c>: the images of --data most similar to a text (text → image) or to an image
/// (image → image), by cosine similarity of their CLIP features; image features come from the embedding
/// cache.</summary>
sealed class SearchCommand : Command
{
    readonly CliContext context;
    readonly DataOptions options = new(defaultLimit: null);
    readonly Option<string[]> data = new("--data", "-d")
    {
        Description = "Images or folders to search (repeatable; a folder gives every image under it; symbolic " +
            "links are followed, each real folder and image is taken once)",
        Required = true, AllowMultipleArgumentsPerToken = true,
    };
    readonly Option<string?> text = new Option<string?>("--text")
    {
        Description = "The query text (each --template is filled with it)",
    }.Check(t => t is not null && t.Trim().Length == 0 ? "--text is empty" : null);
    readonly Option<string?> image = new("--image") { Description = "A query image (image → image search)" };
    readonly Option<int> top = new Option<int>("--top", "-n")
    {
        Description = "How many images to list", DefaultValueFactory = _ => 10,
    }.Check(n => n < 1 ? $"--top must be at least 1; got {n}" : null);

    public SearchCommand(CliContext context) : base("search", "Rank images by CLIP similarity to a text or an image")
    {
        this.context = context;
        foreach (var option in new Option[]
        {
            data, text, image, top, options.Model, options.DType, options.PromptsFile, options.Templates,
            options.CacheDirectory, options.NoCache, options.Vocab, options.Format, options.Json,
            options.Labels, options.Classes, options.LabelColumn, options.Pattern, options.Limit, options.SkipMissing,
        }) Options.Add(option);
        this.Check(r => (r.GetValue(text) is null) == (r.GetValue(image) is null)
            ? "Give the query as --text or as --image (one of them)"
            : null);
        SetAction(Run);
    }

    int Run(ParseResult parse)
    {
        string? query = parse.GetValue(text), queryImage = parse.GetValue(image);
        int n = parse.GetValue(top);
        var templates = options.TemplateList(parse);
        var (files, labels) = Images(parse, options, parse.GetValue(data)!, context);
        if (files.Count == 0)
            throw new AnalysisException(
                $"No images in {string.Join(", ", parse.GetValue(data)!.Select(d => $"'{d}'"))}");

        using var clip = options.LoadModel(parse, context);
        using var cache = options.Cache(parse, clip);
        var evaluator = new Evaluator(clip, cache);
        using var features = evaluator.ImageFeatures(files, context.Counter("Images", files.Count));
        context.StopProgress();
        using var search = new ImageSearch(files, features);
        using var queryFeatures = query is not null
            ? ImageSearch.TextQuery(clip, query, templates, options.Tokenizer(parse))
            : FirstRow(evaluator.ImageFeatures([queryImage!]));
        var hits = search.Search(queryFeatures, n);

        if (options.WantsJson(parse))
        {
            DataOptions.WriteJson(context, new JsonObject
            {
                ["query"] = query is not null
                    ? new JsonObject { ["text"] = query }
                    : new JsonObject { ["image"] = queryImage },
                ["images"] = files.Count,
                ["results"] = new JsonArray([.. hits.Select(h => (JsonNode)Hit(h, labels))]),
            });
            return 0;
        }
        string shown = query is not null ? $"\"{query}\"" : queryImage!;
        context.Output.WriteLine($"Query: {shown}; {files.Count} images");
        foreach (var (hit, rank) in hits.Select((h, i) => (h, i + 1)))
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{rank,4}  {hit.Cosine,8:F4}  {hit.File}{(labels?[hit.File] is { } l ? $"  ({l})" : "")}"));
        return 0;
    }

    /// <summary>Every image under the given files and folders; with --labels, the labelled images of the one --data
    /// folder as <c>clip evaluate</c> reads them, each with its class name.</summary>
    static (IReadOnlyList<string> Files, Dictionary<string, string>? Labels) Images(ParseResult parse,
        DataOptions options, string[] data, CliContext context)
    {
        if (parse.GetValue(options.Labels) is null) return (ImageFiles.Expand(data), null);
        if (data.Length != 1 || !Directory.Exists(data[0]))
            throw new CliException("--labels needs --data to name one folder (the folder its file names are under)");
        var set = options.LoadSet(parse, context, data[0]);
        var files = set.Images.Select(i => i.Path).ToList();
        return (files, set.Images.ToDictionary(i => i.Path, i => set.Classes[i.Label]));
    }

    static JsonObject Hit(SearchHit hit, Dictionary<string, string>? labels)
    {
        var json = new JsonObject { ["file"] = hit.File, ["cosine"] = JsonValue.Create(hit.Cosine) };
        if (labels is not null) json["label"] = labels[hit.File];
        return json;
    }

    /// <summary>Row 0 of a [1, D] batch as a tensor of its own; the batch is freed.</summary>
    static TorchSharp.torch.Tensor FirstRow(TorchSharp.torch.Tensor batch)
    {
        using (batch)
        using (var row = batch[0])
            return row.clone();
    }
}
