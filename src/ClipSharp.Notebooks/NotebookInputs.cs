using ClipSharp.Downloads;
using ClipSharp.Evaluation;
using ClipSharp.Loading;
using ClipSharp.Settings;

namespace ClipSharp.Notebooks;

/// <summary>What a notebook runs on: a model (registry name or checkpoint path), an image folder and its labels CSV.
/// The defaults are the tutorial's (RN50, data/glasses); <c>CLIP_MODEL</c>, <c>CLIP_DATA</c> and <c>CLIP_LABELS</c>
/// override them, which is how CI runs the notebooks on the reference data. Relative paths, given here or in those
/// variables, are read from the repository root, wherever the kernel was started. Once an input is found missing, this
/// object and every later cell of the session (<see cref="NotebookSession"/>) stop with that same message.</summary>
public sealed record NotebookInputs(string Model, string Data, string? Labels)
{
    MissingInputException? missing;

    /// <summary>The workspace root (<see cref="ClipSettings.Root"/>: <c>CLIP_HOME</c>, else the nearest folder above
    /// the kernel's directory holding <c>weights/</c>), which relative paths are read from.</summary>
    public static string WorkspaceRoot => ClipSettings.Current.Root;

    public static NotebookInputs FromEnvironment(string model = "RN50",
        string data = "data/glasses", string? labels = null)
    {
        NotebookSession.Resume(); // the inputs cell runs again: maybe with what was missing
        return new(ModelOrPath(Variable("CLIP_MODEL") ?? model), FromRoot(Variable("CLIP_DATA") ?? data),
            (Variable("CLIP_LABELS") ?? labels) is { } l ? FromRoot(l) : null);
    }

    /// <summary>The checkpoint file, downloaded on first use for a registry name; a clear error saying how to get it
    /// otherwise.</summary>
    public string RequireModel()
    {
        ThrowIfMissing();
        try { return ModelFiles.Resolve(Model, progress: DownloadProgress.Lines(Console.Out)); }
        catch (Exception e) when (e is IOException or ClipSharpException)
        {
            throw Missing($"No weights for '{Model}': {e.Message} Download a released model with " +
                "`clip download RN50` (see weights/README.md), or set " +
                "CLIP_MODEL to a registry name (RN50, ViT-B/32, …) or a .pt / .safetensors checkpoint (a relative " +
                $"path is read from {WorkspaceRoot}).", e);
        }
    }

    /// <summary>The tokenizer over the vocab in <c>CLIP_VOCAB</c> or <c>weights/</c>, which comes with every downloaded
    /// model; fetched alone (1.3 MB) when missing.</summary>
    public Text.ClipTokenizer RequireTokenizer()
    {
        ThrowIfMissing();
        string weights = ClipSettings.Current.WeightsDirectory;
        string path = Path.Combine(weights, Text.BpeVocabulary.FileName);
        try { ReleasedVocabulary.Locate(); }
        catch (FileNotFoundException)
        {
            try
            {
                // on the thread pool: the kernel's synchronisation context cannot deadlock the download
                Task.Run(() => ModelDownloader.Default.DownloadAsync(ModelRegistry.VocabularyUrl(),
                        ModelRegistry.Vocabulary.Sha256, ModelRegistry.Vocabulary.MaxBytes, path))
                    .GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is IOException or HttpRequestException
                or TaskCanceledException or ClipSharpException)
            {
                // Locate's message below says how to get it
            }
        }
        try { return Text.ClipTokenizer.Default; }
        catch (FileNotFoundException e) { throw Missing(e.Message, e); }
    }

    /// <summary>Checks that the image folder (and labels file, when given) exist, saying how to get the Kaggle set if
    /// not.</summary>
    public void RequireData()
    {
        ThrowIfMissing();
        if (!Directory.Exists(Data))
            throw Missing($"Image folder '{Data}' not found. Get the Kaggle \"Glasses or No Glasses\" set as " +
                "data/README.md describes (face-<id>.png and train.csv into data/glasses), or set CLIP_DATA (and " +
                $"CLIP_LABELS) to another labelled folder (a relative path is read from {WorkspaceRoot}).");
        if (Labels is not null && !File.Exists(Labels))
            throw Missing($"Labels file '{Labels}' not found (CLIP_LABELS; a relative path is read from " +
                $"{WorkspaceRoot}). Unset CLIP_LABELS to use DATA/labels.csv or DATA/train.csv, or point it at a " +
                "CSV with a header and a file or id column.");
    }

    /// <summary>The first <paramref name="limit"/> labelled images, as <c>clip evaluate</c> reads them.</summary>
    public LabeledImageSet LoadImages(IReadOnlyList<string> classes, int limit = 100)
    {
        RequireData();
        return LabeledImageSet.Load(Data, classes, Labels, limit: limit);
    }

    void ThrowIfMissing()
    {
        if (missing is not null) throw missing;
    }

    MissingInputException Missing(string message, Exception? inner = null) =>
        missing = NotebookSession.Stop(new MissingInputException(message, inner));

    static string? Variable(string name) => ClipSettings.Current.Variable(name);

    /// <summary>A registry name (or an unknown name, which the registry reports) as it is; a path read from the
    /// root.</summary>
    static string ModelOrPath(string model) =>
        ModelRegistry.Find(model) is null && (model.IndexOfAny(['/', '\\']) >= 0 || Path.HasExtension(model))
            ? FromRoot(model) : model;

    static string FromRoot(string path) => Path.GetFullPath(Path.Combine(WorkspaceRoot, path));
}
