using ClipSharp.Loading;
using System.CommandLine;
using System.Globalization;
using ClipSharp.Cli.Rendering;
using ClipSharp.Evaluation;
using ClipSharp.Text;
using ClipSharp.ZeroShot;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip evaluate</c>: zero-shot accuracy on a labelled image set (by default the tutorial's: RN50 on the
/// first 100 Kaggle glasses images).</summary>
sealed class EvaluateCommand : Command
{
    readonly CliContext context;
    readonly DataOptions options = new(100, OutputFormat.Table, OutputFormat.Csv, OutputFormat.Json);
    readonly Option<string?> output = new("--output", "-o")
    {
        Description = $"Write the per-image CSV (file,label,prediction,p_<class>…); {OutputPath.HelpNote}",
    };
    readonly Option<string?> plots = new("--plots")
    {
        Description = "Write the charts (confusion matrix, cosine histograms) into this folder: .html, and .png " +
            "when chromium is installed",
    };

    public EvaluateCommand(CliContext context)
        : base("evaluate", "Zero-shot accuracy, confusion matrix and per-image results on a labelled image set; " +
            "--format csv prints the per-image CSV")
    {
        this.context = context;
        Options.Add(output);
        Options.Add(plots);
        options.AddTo(this);
        SetAction(Run);
    }

    int Run(ParseResult parse)
    {
        var (promptSet, set) = options.PromptsAndSet(parse, context);

        using var clip = options.LoadModel(parse, context);
        string? plotFolder = parse.GetValue(plots);
        bool png = plotFolder is not null && Notebooks.HeadlessChromium.Executable() is not null;
        // before the work: no output (the CSV, a chart) may replace an input, the embedding cache included
        OutputPath.CheckAll([.. parse.GetValue(output) is { } target ? [target] : Array.Empty<string>(),
                .. plotFolder is null ? [] : ChartFiles(plotFolder, png)],
            [set.Source, parse.GetValue(options.PromptsFile), clip.SourcePath,
                ReleasedVocabulary.Locate(parse.GetValue(options.Vocab)), .. options.CacheFiles(parse, clip),
                .. set.Images.Select(i => i.Path)]);
        using var cache = options.Cache(parse, clip);
        int warned = 0; // the cache's warnings go to stderr as they appear: after loading it, after saving it
        void ShowCacheWarnings()
        {
            for (var all = cache?.Warnings ?? []; warned < all.Count; warned++)
                context.Error.WriteLine($"warning: {all[warned]}");
        }
        ShowCacheWarnings();
        using var classifier = ZeroShotClassifier.Create(clip, promptSet, options.Tokenizer(parse));
        var result = new Evaluator(clip, cache).Evaluate(set, classifier, context.Counter("Images", set.Images.Count));
        context.StopProgress();
        ShowCacheWarnings();

        if (parse.GetValue(output) is { } csv) result.WriteCsv(csv);
        var charts = plotFolder is null ? null : SaveCharts(result, plotFolder, png);
        switch (options.FormatOf(parse))
        {
            case OutputFormat.Json:
                DataOptions.WriteJson(context, EvaluationJson.Of(result));
                return 0;
            case OutputFormat.Csv:
                WriteCsv(result);
                return 0;
        }
        context.Output.WriteLine($"Model: {parse.GetValue(options.Model)}; prompts: {promptSet}; " +
            $"data: {set.Source} ({set.Images.Count} images)");
        context.Output.Write(result.Summary());
        if (parse.GetValue(output) is { } written) context.Output.WriteLine($"Per-image results: {written}");
        if (charts is not null) context.Output.WriteLine($"Charts: {string.Join(", ", charts)}");
        return 0;
    }

    /// <summary>The per-image CSV of --output, on stdout.</summary>
    void WriteCsv(EvaluationResult result)
    {
        var inv = CultureInfo.InvariantCulture;
        Csv.Write(context.Output, ["file", "label", "prediction", .. result.Classes.Select(c => $"p_{c}")],
            result.Predictions.Select(p => (IReadOnlyList<string>)[p.File, p.Label.ToString(inv),
                p.Prediction.ToString(inv), .. p.Probabilities.Select(x => x.ToString("F6", inv))]));
    }

    /// <summary>The chart files --plots writes; the folder must be one (or not exist yet).</summary>
    static IReadOnlyList<string> ChartFiles(string folder, bool png)
    {
        OutputPath.CheckFolder(folder, "--plots", "the charts");
        return Notebooks.EvaluationCharts.Files(folder, png);
    }

    /// <summary>The evaluation's charts as files: .html always, .png where a headless Chromium exists.</summary>
    IReadOnlyList<string> SaveCharts(EvaluationResult result, string folder, bool png)
    {
        if (!png)
            context.Error.WriteLine("note: no .png charts: install the 'chromium' package (or set CLIP_CHROMIUM)");
        return Notebooks.EvaluationCharts.Save(result, folder, png);
    }
}
