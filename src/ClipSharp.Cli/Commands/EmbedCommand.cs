using System.CommandLine;
using ClipSharp.Checkpoints;
using ClipSharp.Cli.OptionGroups;
using ClipSharp.Loading;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.ZeroShot;
using static TorchSharp.torch;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip embed IMAGE… --text T… -o OUT</c>: image and text features (not normalised) and logits per
/// image, to safetensors.</summary>
sealed class EmbedCommand : Command
{
    readonly CliContext context;
    readonly ModelOptions model = new();
    readonly ImageArguments images = new("Images to embed", required: false);
    readonly Option<string[]> imageOption = new("--image")
    {
        Description = "An image to embed (repeatable; the same as giving it as an argument)",
    };
    readonly Option<string[]> texts = new("--text") { Description = "A text to embed (repeatable)" };
    readonly Option<string?> textFile = new("--text-file") { Description = "A file of texts, one a line" };
    readonly Option<string> output = CommonOptions.Output("The .safetensors file: image_features [n,D], " +
        $"text_features [m,D], logits_per_image [n,m], float32; {OutputPath.HelpNote}");

    public EmbedCommand(CliContext context) : base("embed", "Encode images and texts with a CLIP model")
    {
        this.context = context;
        Arguments.Add(images.Images);
        model.AddTo(this);
        foreach (var option in new Option[] { imageOption, texts, textFile, output }) Options.Add(option);
        this.Check(r => (r.GetValue(images.Images) ?? []).Length == 0 && (r.GetValue(imageOption) ?? []).Length == 0
            && (r.GetValue(texts) ?? []).Length == 0 && r.GetValue(textFile) is null
                ? "Nothing to embed: give images, --text or --text-file"
                : null);
        SetAction(Run);
    }

    int Run(ParseResult parse)
    {
        var imagePaths = images.Files(parse, parse.GetValue(imageOption));
        var allTexts = (parse.GetValue(texts) ?? []).ToList();
        if (parse.GetValue(textFile) is { } file)
            allTexts.AddRange(TextFile.ReadLines(file).Select(l => l.Text).Where(t => t.Length > 0));
        if (imagePaths.Count == 0 && allTexts.Count == 0)
            throw new CliException("Nothing to embed: the images and text file hold none");

        using var clip = model.Load(parse, context);
        string? vocabPath = allTexts.Count > 0 ? model.VocabPath(parse) : null;
        OutputPath.Check(parse.GetValue(output)!,
            [parse.GetValue(textFile), clip.SourcePath, vocabPath, .. imagePaths]);
        var tokenizer = allTexts.Count > 0 ? model.Tokenizer(parse) : null;
        using var imageFeatures = new ImageEncoder(clip)
            .Features(imagePaths, context.Counter("Encoding images", imagePaths.Count));
        using var textFeatures = tokenizer is null
            ? zeros(0, clip.Config.EmbedDim)
            : clip.EncodeText(ClipTokenizer.Tokenize(allTexts, clip.ContextLength, tokenizer: tokenizer));
        using var logits = imagePaths.Count > 0 && allTexts.Count > 0
            ? clip.Logits(imageFeatures, textFeatures)
            : zeros(imagePaths.Count, allTexts.Count);
        SafeTensors.Write(parse.GetValue(output)!, new Dictionary<string, Tensor>
        {
            ["image_features"] = imageFeatures, ["text_features"] = textFeatures, ["logits_per_image"] = logits,
        }, new Dictionary<string, string>
        {
            ["images"] = System.Text.Json.JsonSerializer.Serialize(imagePaths.Select(Path.GetFileName)),
            ["texts"] = System.Text.Json.JsonSerializer.Serialize(allTexts),
        });
        context.StopProgress();
        context.Output.WriteLine($"{parse.GetValue(output)}: {imagePaths.Count} image(s), {allTexts.Count} text(s), " +
            $"embed dim {clip.Config.EmbedDim}");
        return 0;
    }
}
