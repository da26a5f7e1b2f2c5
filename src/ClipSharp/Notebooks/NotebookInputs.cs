using ClipSharp.Checkpoints;
using ClipSharp.Evaluation;

namespace ClipSharp.Notebooks;

/// <summary>What a notebook runs on: a model (registry name or checkpoint path), an image folder and its labels CSV.
/// The defaults are the tutorial's (RN50, data/glasses); <c>CLIP_MODEL</c>, <c>CLIP_DATA</c> and <c>CLIP_LABELS</c>
/// override them, which is how CI runs the notebooks on the reference data.</summary>
public sealed record NotebookInputs(string Model, string Data, string? Labels)
{
    public static NotebookInputs FromEnvironment(string model = "RN50", string? data = null, string? labels = null) => new(
        Environment.GetEnvironmentVariable("CLIP_MODEL") is { Length: > 0 } m ? m : model,
        Environment.GetEnvironmentVariable("CLIP_DATA") is { Length: > 0 } d ? d : data ?? Path.Combine(WorkspacePaths.Root, "data", "glasses"),
        Environment.GetEnvironmentVariable("CLIP_LABELS") is { Length: > 0 } l ? l : labels);

    /// <summary>The checkpoint file, downloaded on first use for a registry name; a clear error saying how to get it otherwise.</summary>
    public string RequireModel()
    {
        try { return ModelRegistry.Resolve(Model, progress: DownloadProgress.Lines(Console.Out)); }
        catch (Exception e) when (e is IOException or ClipSharpException)
        {
            throw new MissingInputException($"No weights for '{Model}': {e.Message} " +
                "See weights/README.md, or set CLIP_MODEL to a checkpoint path (e.g. ../shared/reference/models/tiny-rn.pt).", e);
        }
    }

    /// <summary>The tokenizer over the vocab in <c>CLIP_VOCAB</c> or <c>weights/</c>, which comes with every downloaded
    /// model; fetched alone (1.3 MB) when missing.</summary>
    public Text.ClipTokenizer RequireTokenizer()
    {
        string weights = WorkspacePaths.WeightsDirectory, path = Path.Combine(weights, Text.BpeVocabulary.FileName);
        try { Text.BpeVocabulary.Locate(); }
        catch (FileNotFoundException)
        {
            try { ModelDownloader.Default.DownloadAsync(ModelRegistry.VocabularyUrl(), ModelRegistry.Vocabulary.Sha256, path).GetAwaiter().GetResult(); }
            catch (Exception e) when (e is IOException or ClipSharpException or HttpRequestException or TaskCanceledException) { } // Locate's message below says how to get it
        }
        try { return Text.ClipTokenizer.Default; }
        catch (FileNotFoundException e) { throw new MissingInputException(e.Message, e); }
    }

    /// <summary>Checks that the image folder (and labels file, when given) exist, saying how to get the Kaggle set if not.</summary>
    public void RequireData()
    {
        if (!Directory.Exists(Data))
            throw new MissingInputException($"Image folder '{Data}' not found. Get the Kaggle \"Glasses or No Glasses\" set as data/README.md " +
                "describes (face-<id>.png and train.csv into data/glasses), or set CLIP_DATA (and CLIP_LABELS) to another labelled folder.");
        if (Labels is not null && !File.Exists(Labels))
            throw new MissingInputException($"Labels file '{Labels}' not found (CLIP_LABELS).");
    }

    /// <summary>The first <paramref name="limit"/> labelled images, as <c>clip evaluate</c> reads them.</summary>
    public LabeledImageSet LoadImages(IReadOnlyList<string> classes, int limit = 100)
    {
        RequireData();
        return LabeledImageSet.Load(Data, classes, Labels, limit: limit);
    }
}
