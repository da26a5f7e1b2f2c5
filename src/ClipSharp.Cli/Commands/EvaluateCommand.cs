using System.CommandLine;
using ClipSharp.Evaluation;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.ZeroShot;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip evaluate</c>: zero-shot accuracy on a labelled image set (by default the tutorial's: RN50 on the first
/// 100 Kaggle glasses images).</summary>
static class EvaluateCommand
{
    public static readonly string[] DefaultClasses = ["no glasses", "glasses"];

    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model(defaultValue: "RN50");
        var dtype = CommonOptions.DType();
        var data = new Option<string>("--data", "-d") { Description = "The image folder", DefaultValueFactory = _ => Path.Combine(WorkspacePaths.Root, "data", "glasses") };
        var labels = new Option<string?>("--labels") { Description = "A CSV with a header: column 'file' (path under --data) or 'id' (with --pattern), and a label column; default DATA/labels.csv, else DATA/train.csv, else one folder per class" };
        var pattern = new Option<string>("--pattern") { Description = "The file of an id", DefaultValueFactory = _ => LabeledImageSet.DefaultPattern };
        var labelColumn = new Option<string?>("--label-column") { Description = "The label column: a class index (0 = first --class) or a class name; default the last column" };
        var classes = new Option<string[]>("--class", "-c") { Description = "A class name, in label-index order (repeat); default: 'no glasses', 'glasses'" };
        var prompts = new Option<string?>("--prompts") { Description = "A file of prompt templates with {} for the class, one a line (several are ensembled)" };
        var templates = new Option<string[]>("--template", "-t") { Description = "A prompt template with {} (repeatable)" };
        var limit = new Option<int>("--limit")
        {
            Description = "Evaluate N images: the first N rows of the labels file; with a folder per class, N taken " +
                "round-robin across the classes (each class's first files by name, in turn)",
            DefaultValueFactory = _ => 100,
        };
        var output = new Option<string?>("--output", "-o")
            { Description = $"Write the per-image CSV (file,label,prediction,p_<class>…); {OutputPath.HelpNote}" };
        var skipMissing = new Option<bool>("--skip-missing") { Description = "Leave out rows whose image is missing, and list them" };
        var cacheDir = new Option<string?>("--cache") { Description = "The embedding cache folder (default .cache/embeddings)" };
        var noCache = new Option<bool>("--no-cache") { Description = "Encode every image, store nothing" };
        var vocab = CommonOptions.Vocab();
        var command = new Command("evaluate", "Zero-shot accuracy, confusion matrix and per-image results on a labelled image set")
            { model, dtype, data, labels, pattern, labelColumn, classes, prompts, templates, limit, output, skipMissing, cacheDir, noCache, vocab };
        command.SetAction(parse =>
        {
            string dataDir = parse.GetValue(data)!;
            if (!Directory.Exists(dataDir) && IsDefaultData(dataDir) && parse.GetValue(labels) is null)
            {
                context.Error.WriteLine($"{dataDir} not found: downloading the Kaggle \"Glasses or No Glasses\" set " +
                    "(give --data to evaluate another folder)");
                DownloadCommand.DownloadGlasses(context, dataDir, mirror: null, force: false);
            }
            if (!Directory.Exists(dataDir))
                throw new CliException($"Data folder '{dataDir}' not found. Get the Kaggle \"Glasses or No Glasses\" " +
                    $"set into it with `clip download glasses --data {dataDir}` (see data/README.md), or give --data " +
                    "and --labels for another labelled folder.");
            var classNames = parse.GetValue(classes) is { Length: > 0 } given ? given : DefaultClasses;
            var templateList = (parse.GetValue(prompts) is { } file ? PromptSet.ReadTemplates(file) : [])
                .Concat(parse.GetValue(templates) ?? []).ToList();
            var promptSet = PromptSet.Create(classNames, templateList);
            int n = parse.GetValue(limit);
            if (n < 1) throw new CliException($"--limit must be positive; got {n}");

            var set = LabeledImageSet.Load(dataDir, classNames, parse.GetValue(labels), parse.GetValue(labelColumn), parse.GetValue(pattern)!, n, parse.GetValue(skipMissing));
            foreach (var s in set.Skipped) context.Error.WriteLine($"skipped: {s}");

            using var clip = ClipModel.Load(parse.GetValue(model)!, progress: context.DownloadProgress(), imageDType: CommonOptions.ScalarTypeOf(parse.GetValue(dtype)!));
            if (parse.GetValue(output) is { } target) // before the work: the per-image CSV must not replace an input
                OutputPath.Check(target, [set.Source, parse.GetValue(prompts), clip.SourcePath,
                    BpeVocabulary.Locate(parse.GetValue(vocab)), .. set.Images.Select(i => i.Path)]);
            using var cache = parse.GetValue(noCache) ? null : EmbeddingCache.For(clip, parse.GetValue(cacheDir));
            int warned = 0; // the cache's warnings go to stderr as they appear: after loading it, after saving it
            void ShowCacheWarnings()
            {
                for (var all = cache?.Warnings ?? []; warned < all.Count; warned++)
                    context.Error.WriteLine($"warning: {all[warned]}");
            }
            ShowCacheWarnings();
            using var classifier = ZeroShotClassifier.Create(clip, promptSet, ClipTokenizer.Load(parse.GetValue(vocab)));
            var result = new Evaluator(clip, cache).Evaluate(set, classifier, context.Counter("Images", set.Images.Count));
            ShowCacheWarnings();

            context.Output.WriteLine($"Model: {parse.GetValue(model)}; prompts: {promptSet}; data: {set.Source} ({set.Images.Count} images)");
            context.Output.Write(result.Summary());
            if (parse.GetValue(output) is { } csv)
            {
                result.WriteCsv(csv);
                context.Output.WriteLine($"Per-image results: {csv}");
            }
            return 0;
        });
        return command;
    }

    static bool IsDefaultData(string dir) => string.Equals(Path.GetFullPath(dir),
        Path.GetFullPath(Datasets.GlassesDataset.DefaultDirectory), StringComparison.Ordinal);
}
