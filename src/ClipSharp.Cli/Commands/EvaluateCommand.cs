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
        var limit = new Option<int>("--limit") { Description = "Evaluate the first N rows of the labels file", DefaultValueFactory = _ => 100 };
        var output = new Option<string?>("--output", "-o") { Description = "Write the per-image CSV (file,label,prediction,p_<class>…)" };
        var skipMissing = new Option<bool>("--skip-missing") { Description = "Leave out rows whose image is missing, and list them" };
        var cacheDir = new Option<string?>("--cache") { Description = "The embedding cache folder (default .cache/embeddings)" };
        var noCache = new Option<bool>("--no-cache") { Description = "Encode every image, store nothing" };
        var vocab = CommonOptions.Vocab();
        var plots = new Option<string?>("--plots")
        {
            Description = "Write the charts (confusion matrix, cosine histograms) into this folder: .html, and .png " +
                "when chromium is installed",
        };
        var command = new Command("evaluate", "Zero-shot accuracy, confusion matrix and per-image results on a labelled image set")
            { model, dtype, data, labels, pattern, labelColumn, classes, prompts, templates, limit, output, skipMissing, cacheDir, noCache, vocab, plots };
        command.SetAction(parse =>
        {
            string dataDir = parse.GetValue(data)!;
            if (!Directory.Exists(dataDir))
                throw new CliException($"Data folder '{dataDir}' not found. Get the Kaggle \"Glasses or No Glasses\" set as data/README.md describes " +
                    "(images face-<id>.png and train.csv into data/glasses), or give --data and --labels.");
            var classNames = parse.GetValue(classes) is { Length: > 0 } given ? given : DefaultClasses;
            var templateList = (parse.GetValue(prompts) is { } file ? PromptSet.ReadTemplates(file) : [])
                .Concat(parse.GetValue(templates) ?? []).ToList();
            var promptSet = PromptSet.Create(classNames, templateList);
            int n = parse.GetValue(limit);
            if (n < 1) throw new CliException($"--limit must be positive; got {n}");

            var set = LabeledImageSet.Load(dataDir, classNames, parse.GetValue(labels), parse.GetValue(labelColumn), parse.GetValue(pattern)!, n, parse.GetValue(skipMissing));
            foreach (var s in set.Skipped) context.Error.WriteLine($"skipped: {s}");

            using var clip = ClipModel.Load(parse.GetValue(model)!, progress: context.DownloadProgress(), imageDType: CommonOptions.ScalarTypeOf(parse.GetValue(dtype)!));
            using var cache = parse.GetValue(noCache) ? null : EmbeddingCache.For(clip, parse.GetValue(cacheDir));
            using var classifier = ZeroShotClassifier.Create(clip, promptSet, ClipTokenizer.Load(parse.GetValue(vocab)));
            var result = new Evaluator(clip, cache).Evaluate(set, classifier, context.Counter("Images", set.Images.Count));

            context.Output.WriteLine($"Model: {parse.GetValue(model)}; prompts: {promptSet}; data: {set.Source} ({set.Images.Count} images)");
            context.Output.Write(result.Summary());
            if (parse.GetValue(output) is { } csv)
            {
                result.WriteCsv(csv);
                context.Output.WriteLine($"Per-image results: {csv}");
            }
            if (parse.GetValue(plots) is { } folder)
            {
                bool png = Notebooks.HeadlessChromium.Executable() is not null;
                context.Output.WriteLine($"Charts: {string.Join(", ", Notebooks.EvaluationCharts.Save(result, folder, png))}");
                if (!png)
                    context.Error.WriteLine("note: no .png charts: install the 'chromium' package (or set CLIP_CHROMIUM)");
            }
            return 0;
        });
        return command;
    }
}
