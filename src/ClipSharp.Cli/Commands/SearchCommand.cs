using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ClipSharp.Analyses;
using ClipSharp.Evaluation;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip search</c>: the images of --data most similar to a text (text → image) or to an image
/// (image → image), by cosine similarity of their CLIP features; image features come from the embedding
/// cache.</summary>
static class SearchCommand
{
    public static Command Create(CliContext context)
    {
        var options = new DataOptions(defaultLimit: null);
        var data = new Option<string[]>("--data", "-d")
        {
            Description = "Images or folders to search (repeatable; a folder gives every image under it)",
            Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var text = new Option<string?>("--text") { Description = "The query text (each --template is filled with it)" };
        var image = new Option<string?>("--image") { Description = "A query image (image → image search)" };
        var top = new Option<int>("--top", "-n")
        {
            Description = "How many images to list", DefaultValueFactory = _ => 10,
        };
        var command = new Command("search", "Rank images by CLIP similarity to a text or an image")
        {
            data, text, image, top, options.Model, options.DType, options.PromptsFile, options.Templates,
            options.CacheDirectory, options.NoCache, options.Vocab, options.Format, options.Json,
        };
        command.SetAction(parse =>
        {
            string? query = parse.GetValue(text), queryImage = parse.GetValue(image);
            if ((query is null) == (queryImage is null))
                throw new CliException("Give the query as --text or as --image (one of them)");
            if (query is not null && query.Trim().Length == 0) throw new CliException("--text is empty");
            int n = parse.GetValue(top);
            if (n < 1) throw new CliException($"--top must be at least 1; got {n}");
            var templates = options.TemplateList(parse);
            var files = ImageFiles.Expand(parse.GetValue(data)!);
            if (files.Count == 0)
                throw new AnalysisException(
                    $"No images in {string.Join(", ", parse.GetValue(data)!.Select(d => $"'{d}'"))}");

            using var clip = options.LoadModel(parse, context);
            using var cache = options.Cache(parse, clip);
            var evaluator = new Evaluator(clip, cache);
            using var features = evaluator.ImageFeatures(files, context.Counter("Images", files.Count));
            using var search = new ImageSearch(files, features);
            using var queryFeatures = query is not null
                ? ImageSearch.TextQuery(clip, query, templates, options.Tokenizer(parse))
                : evaluator.ImageFeatures([queryImage!])[0];
            var hits = search.Search(queryFeatures, n);

            if (options.WantsJson(parse))
            {
                DataOptions.WriteJson(context, new JsonObject
                {
                    ["query"] = query is not null
                        ? new JsonObject { ["text"] = query }
                        : new JsonObject { ["image"] = queryImage },
                    ["images"] = files.Count,
                    ["results"] = new JsonArray([.. hits.Select(h => (JsonNode)new JsonObject
                        { ["file"] = h.File, ["cosine"] = JsonValue.Create(h.Cosine) })]),
                });
                return 0;
            }
            string shown = query is not null ? $"\"{query}\"" : queryImage!;
            context.Output.WriteLine($"Query: {shown}; {files.Count} images");
            foreach (var (hit, rank) in hits.Select((h, i) => (h, i + 1)))
                context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{rank,4}  {hit.Cosine,8:F4}  {hit.File}"));
            return 0;
        });
        return command;
    }
}
