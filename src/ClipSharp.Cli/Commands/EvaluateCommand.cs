using System.CommandLine;
using ClipSharp.Evaluation;
using ClipSharp.ZeroShot;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip evaluate</c>: zero-shot accuracy on a labelled image set (by default the tutorial's: RN50 on the first
/// 100 Kaggle glasses images).</summary>
static class EvaluateCommand
{
    public static readonly string[] DefaultClasses = ["no glasses", "glasses"];

    public static Command Create(CliContext context)
    {
        var options = new DataOptions(defaultLimit: 100);
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Write the per-image CSV (file,label,prediction,p_<class>…)",
        };
        var command = new Command("evaluate",
            "Zero-shot accuracy, confusion matrix and per-image results on a labelled image set") { output };
        foreach (var option in options.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            options.RequireDataFolder(parse);
            var promptSet = options.Prompts(parse);
            var set = options.LoadSet(parse, context);

            using var clip = options.LoadModel(parse, context);
            using var cache = options.Cache(parse, clip);
            using var classifier = ZeroShotClassifier.Create(clip, promptSet, options.Tokenizer(parse));
            var result = new Evaluator(clip, cache).Evaluate(set, classifier, context.Counter("Images", set.Images.Count));

            if (parse.GetValue(output) is { } csv) result.WriteCsv(csv);
            if (options.WantsJson(parse))
            {
                DataOptions.WriteJson(context, EvaluationJson.Of(result));
                return 0;
            }
            context.Output.WriteLine($"Model: {parse.GetValue(options.Model)}; prompts: {promptSet}; " +
                $"data: {set.Source} ({set.Images.Count} images)");
            context.Output.Write(result.Summary());
            if (parse.GetValue(output) is { } written) context.Output.WriteLine($"Per-image results: {written}");
            return 0;
        });
        return command;
    }
}
