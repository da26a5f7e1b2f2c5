using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ClipSharp.Cli.OptionGroups;
using ClipSharp.Cli.Rendering;
using ClipSharp.Evaluation;
using ClipSharp.ZeroShot;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip classify IMAGE…</c>: zero-shot probabilities of each image over the classes.</summary>
sealed class ClassifyCommand : Command
{
    readonly CliContext context;
    readonly ModelOptions model = new();
    readonly PromptOptions prompts = new();
    readonly ImageArguments images = new("Images to classify");
    readonly Option<string?> format = OutputFormat.Option([OutputFormat.Table, OutputFormat.Csv, OutputFormat.Json]);

    public ClassifyCommand(CliContext context)
        : base("classify", "Zero-shot classify images: the class probabilities and the prediction of each")
    {
        this.context = context;
        Arguments.Add(images.Images);
        model.AddTo(this);
        prompts.AddTo(this);
        Options.Add(format);
        SetAction(Run);
    }

    const int ImagesPerBatch = 32;

    int Run(ParseResult parse)
    {
        var promptSet = prompts.Prompts(parse);
        var paths = images.Files(parse);
        using var clip = model.Load(parse, context);
        using var classifier = ZeroShotClassifier.Create(clip, promptSet, model.Tokenizer(parse));
        // More images than one batch take a while: show how far the encoding is (one batch is one step).
        var progress = paths.Count > ImagesPerBatch ? context.Counter("Encoding images", paths.Count) : null;
        using var features = new Evaluator(clip, batchSize: ImagesPerBatch).ImageFeatures(paths, progress);
        context.StopProgress();
        var similarity = classifier.Similarity(features, [.. paths]);
        var probabilities = similarity.Probabilities;
        var predicted = similarity.ArgMax();
        var classes = promptSet.Classes;

        if (parse.GetValue(format) == OutputFormat.Json)
        {
            context.Output.WriteLine(new JsonObject
            {
                ["classes"] = new JsonArray([.. classes.Select(c => (JsonNode)c)]),
                ["images"] = new JsonArray([.. paths.Select((p, i) => (JsonNode)new JsonObject
                {
                    ["image"] = p,
                    ["probabilities"] = new JsonArray([.. classes.Select((_, c) => (JsonNode)probabilities[i, c])]),
                    ["prediction"] = classes[predicted[i]],
                })]),
            }.ToJsonString(new() { WriteIndented = true }));
            return 0;
        }
        var table = new TextTable(["image", .. classes.Select(c => $"p({c})"), "prediction"])
            .AlignRight([.. Enumerable.Range(1, classes.Count)]);
        for (int i = 0; i < paths.Count; i++)
            table.Add([paths[i], .. Enumerable.Range(0, classes.Count)
                .Select(c => probabilities[i, c].ToString("F4", CultureInfo.InvariantCulture)), classes[predicted[i]]]);
        table.Write(context, parse.GetValue(format)!);
        return 0;
    }
}
