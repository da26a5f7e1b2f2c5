using System.CommandLine;
using ClipSharp.Evaluation;
using ClipSharp.Text;
using ClipSharp.ZeroShot;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip evaluate</c>: zero-shot accuracy on a labelled image set (by default the tutorial's: RN50 on the
/// first 100 Kaggle glasses images).</summary>
static class EvaluateCommand
{
    public static readonly string[] DefaultClasses = ["no glasses", "glasses"];

    public static Command Create(CliContext context)
    {
        var options = new DataOptions(defaultLimit: 100);
        var output = new Option<string?>("--output", "-o")
        {
            Description = $"Write the per-image CSV (file,label,prediction,p_<class>…); {OutputPath.HelpNote}",
        };
        var plots = new Option<string?>("--plots")
        {
            Description = "Write the charts (confusion matrix, cosine histograms) into this folder: .html, and .png " +
                "when chromium is installed",
        };
        var command = new Command("evaluate",
            "Zero-shot accuracy, confusion matrix and per-image results on a labelled image set") { output, plots };
        foreach (var option in options.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            options.RequireDataFolder(parse, context);
            var promptSet = options.Prompts(parse);
            var set = options.LoadSet(parse, context);

            using var clip = options.LoadModel(parse, context);
            if (parse.GetValue(output) is { } target) // before the work: the per-image CSV must not replace an input
                OutputPath.Check(target, [set.Source, parse.GetValue(options.PromptsFile), clip.SourcePath,
                    BpeVocabulary.Locate(parse.GetValue(options.Vocab)), .. set.Images.Select(i => i.Path)]);
            using var cache = options.Cache(parse, clip);
            int warned = 0; // the cache's warnings go to stderr as they appear: after loading it, after saving it
            void ShowCacheWarnings()
            {
                for (var all = cache?.Warnings ?? []; warned < all.Count; warned++)
                    context.Error.WriteLine($"warning: {all[warned]}");
            }
            ShowCacheWarnings();
            using var classifier = ZeroShotClassifier.Create(clip, promptSet, options.Tokenizer(parse));
            var result = new Evaluator(clip, cache).Evaluate(set, classifier,
                context.Counter("Images", set.Images.Count));
            ShowCacheWarnings();

            if (parse.GetValue(output) is { } csv) result.WriteCsv(csv);
            var charts = parse.GetValue(plots) is { } folder ? SaveCharts(context, result, folder) : null;
            if (options.WantsJson(parse))
            {
                DataOptions.WriteJson(context, EvaluationJson.Of(result));
                return 0;
            }
            context.Output.WriteLine($"Model: {parse.GetValue(options.Model)}; prompts: {promptSet}; " +
                $"data: {set.Source} ({set.Images.Count} images)");
            context.Output.Write(result.Summary());
            if (parse.GetValue(output) is { } written) context.Output.WriteLine($"Per-image results: {written}");
            if (charts is not null) context.Output.WriteLine($"Charts: {string.Join(", ", charts)}");
            return 0;
        });
        return command;
    }

    /// <summary>The evaluation's charts as files: .html always, .png where a headless Chromium exists.</summary>
    static IReadOnlyList<string> SaveCharts(CliContext context, EvaluationResult result, string folder)
    {
        bool png = Notebooks.HeadlessChromium.Executable() is not null;
        if (!png) context.Error.WriteLine("note: no .png charts: install the 'chromium' package (or set CLIP_CHROMIUM)");
        return Notebooks.EvaluationCharts.Save(result, folder, png);
    }
}
