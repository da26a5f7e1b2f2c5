using System.CommandLine;
using ClipSharp.Cli.OptionGroups;
using ClipSharp.Cli.Rendering;
using ClipSharp.Evaluation;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.ZeroShot;
using ClipSharp.Loading;
using ClipSharp.Settings;

namespace ClipSharp.Cli.Commands;

/// <summary>The options of the verbs that run a model over a labelled image set (evaluate, probe, search), declared
/// once so that each means the same everywhere, with the steps that read them.</summary>
sealed class DataOptions
{
    public ModelOptions ModelGroup { get; } = new();
    public PromptOptions PromptGroup { get; } = new();
    public Option<string> Model => ModelGroup.Model;
    public Option<string> DType => ModelGroup.DType;
    public Option<string?> Vocab => ModelGroup.Vocab;
    public Option<string[]> Classes => PromptGroup.Classes;
    public Option<string[]> Templates => PromptGroup.Templates;
    public Option<string?> PromptsFile => PromptGroup.PromptsFile;
    public Option<string> Data { get; } = new("--data", "-d")
    {
        Description = "The image folder",
        DefaultValueFactory = _ => Path.Combine(ClipSettings.Current.Root, "data", "glasses"),
    };
    public Option<string?> Labels { get; } = new("--labels")
    {
        Description = "A CSV with a header: column 'file' (path under --data) or 'id' (with --pattern), and a label " +
            "column; default DATA/labels.csv, else DATA/train.csv, else one folder per class",
    };
    public Option<string> Pattern { get; } = new("--pattern")
    {
        Description = "The file of an id", DefaultValueFactory = _ => LabeledImageSet.DefaultPattern,
    };
    public Option<string?> LabelColumn { get; } = new("--label-column")
    {
        Description = "The label column: a class index (0 = first --class) or a class name; default the last column",
    };
    public Option<int?> Limit { get; }
    public Option<bool> SkipMissing { get; } = new("--skip-missing")
    {
        Description = "Leave out rows whose image is missing, and list them",
    };
    public Option<string?> CacheDirectory { get; } = new("--cache")
    {
        Description = "The embedding cache folder (default .cache/embeddings)",
    };
    public Option<bool> NoCache { get; } = new("--no-cache") { Description = "Encode every image, store nothing" };
    public Option<string?> Format { get; }
    public Option<bool> Json { get; } = new("--json") { Description = "Same as --format json" };

    /// <param name="defaultLimit">Rows of the labels file read by default (null: all).</param>
    /// <param name="formats">The --format values the verb writes.</param>
    public DataOptions(int? defaultLimit, params string[] formats)
    {
        Limit = new Option<int?>("--limit")
        {
            Description = "Use N images: the first N rows of the labels file; with a folder per class, N taken " +
                "round-robin across the classes (each class's first files by name, in turn); default " +
                (defaultLimit is int n ? n.ToString() : "all"),
            DefaultValueFactory = _ => defaultLimit,
        }.Check(n => n < 1 ? $"--limit must be positive; got {n}" : null);
        Format = OutputFormat.Option(formats.Length > 0 ? formats : [OutputFormat.Table, OutputFormat.Json]);
    }

    /// <summary>Every option, for verbs that take them all.</summary>
    public IEnumerable<Option> All => [Model, DType, Data, Labels, Pattern, LabelColumn, Classes, PromptsFile,
        Templates, Limit, SkipMissing, CacheDirectory, NoCache, Vocab, Format, Json];

    /// <summary>Adds every option to <paramref name="command"/>, with the checks across them: --json against a
    /// different --format, --no-cache with --cache.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
        command.Check(r =>
            r.GetResult(Json) is not null && r.GetResult(Format) is { Implicit: false } f
                && f.GetValueOrDefault<string?>() is { } given && given != OutputFormat.Json
                ? $"--json asks for JSON but --format asks for {given}: give one of them"
                : r.GetResult(NoCache) is not null && r.GetResult(CacheDirectory) is { Implicit: false }
                    ? "--no-cache and --cache contradict each other: give one of them"
                    : null);
    }

    /// <summary>--format, with --json as its alias.</summary>
    public string FormatOf(ParseResult parse) =>
        parse.GetValue(Json) ? OutputFormat.Json : parse.GetValue(Format) ?? OutputFormat.Table;

    public bool WantsJson(ParseResult parse) => FormatOf(parse) == OutputFormat.Json;

    public IReadOnlyList<string> ClassNames(ParseResult parse) => PromptGroup.ClassNames(parse);

    /// <summary>The templates of --prompts, then of --template (none: the class name alone).</summary>
    public List<string> TemplateList(ParseResult parse) => PromptGroup.TemplateList(parse);

    public PromptSet Prompts(ParseResult parse) => PromptGroup.Prompts(parse);

    /// <summary>The labelled images of --data, as <c>clip evaluate</c> reads them; skipped rows are listed on
    /// stderr.</summary>
    /// <param name="folder">The data folder when a verb reads it otherwise (default: --data).</param>
    public LabeledImageSet LoadSet(ParseResult parse, CliContext context, string? folder = null)
    {
        string dataDir = folder ?? RequireDataFolder(parse, context);
        int? n = parse.GetValue(Limit);
        var set = LabeledImageSet.Load(dataDir, ClassNames(parse), parse.GetValue(Labels), parse.GetValue(LabelColumn),
            parse.GetValue(Pattern)!, n, parse.GetValue(SkipMissing));
        foreach (var s in set.Skipped) context.Error.WriteLine($"skipped: {s}");
        return set;
    }

    /// <summary>The first steps of the verbs that score a labelled set (evaluate, probe): the data folder (the
    /// default one downloaded on first use), the prompt set, then the labelled images.</summary>
    public (PromptSet Prompts, LabeledImageSet Set) PromptsAndSet(ParseResult parse, CliContext context)
    {
        RequireDataFolder(parse, context);
        var prompts = Prompts(parse);
        return (prompts, LoadSet(parse, context));
    }

    /// <summary>The --data folder. The tutorial's default folder is downloaded on first use (like the weights);
    /// any other missing folder is a usage error saying how to get the data.</summary>
    public string RequireDataFolder(ParseResult parse, CliContext context)
    {
        string dataDir = parse.GetValue(Data)!;
        if (!Directory.Exists(dataDir) && IsDefaultData(dataDir) && parse.GetValue(Labels) is null)
        {
            context.Error.WriteLine($"{dataDir} not found: downloading the Kaggle \"Glasses or No Glasses\" set " +
                "(give --data to use another folder)");
            DownloadCommand.DownloadGlasses(context, dataDir, mirror: null, force: false);
        }
        if (!Directory.Exists(dataDir))
            throw new CliException($"Data folder '{dataDir}' not found. Get the Kaggle \"Glasses or No Glasses\" " +
                $"set into it with `clip download glasses --data {dataDir}` (see data/README.md), or give --data " +
                "and --labels for another labelled folder.");
        return dataDir;
    }

    static bool IsDefaultData(string dir) => string.Equals(Path.GetFullPath(dir),
        Path.GetFullPath(Datasets.GlassesDataset.DefaultDirectory), StringComparison.Ordinal);

    public ClipModel LoadModel(ParseResult parse, CliContext context) => ModelGroup.Load(parse, context);

    /// <summary>The embedding cache of the model, or null with --no-cache.</summary>
    public EmbeddingCache? Cache(ParseResult parse, ClipModel model) =>
        parse.GetValue(NoCache) ? null : EmbeddingCache.For(model, CacheFolder(parse));

    /// <summary>The cache file and its lock that <see cref="Cache"/> reads and writes (none with --no-cache),
    /// without opening them: a command's other outputs must not be either.</summary>
    public string[] CacheFiles(ParseResult parse, ClipModel model)
    {
        if (parse.GetValue(NoCache)) return [];
        string file = EmbeddingCache.FilePathFor(model, CacheFolder(parse));
        return [file, EmbeddingCache.LockPathOf(file)];
    }

    /// <summary>The --cache folder (null: the default); an empty one is refused, as an empty output is.</summary>
    string? CacheFolder(ParseResult parse) => parse.GetValue(CacheDirectory) is { } folder &&
        string.IsNullOrWhiteSpace(folder)
            ? throw new CliException("--cache is empty: give the embedding cache folder, or --no-cache")
            : parse.GetValue(CacheDirectory);

    public ClipTokenizer Tokenizer(ParseResult parse) => ModelGroup.Tokenizer(parse);

    /// <summary>Writes a JSON object to the command's output.</summary>
    public static void WriteJson(CliContext context, System.Text.Json.Nodes.JsonNode json) =>
        context.Output.WriteLine(EvaluationJson.Text(json));
}
