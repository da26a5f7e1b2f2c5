using System.CommandLine;
using ClipSharp.Checkpoints;
using ClipSharp.Imaging;
using ClipSharp.Modeling;
using ClipSharp.Text;
using static TorchSharp.torch;
using ClipSharp.Loading;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip embed</c>: image and text features (not normalised) and logits per image, to safetensors.</summary>
static class EmbedCommand
{
    const int BatchSize = 32;

    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var dtype = CommonOptions.DType();
        var images = new Option<string[]>("--image") { Description = "An image to embed (repeatable)" };
        var texts = new Option<string[]>("--text") { Description = "A text to embed (repeatable)" };
        var textFile = new Option<string?>("--text-file") { Description = "A file of texts, one a line" };
        var output = CommonOptions.Output("The .safetensors file: image_features [n,D], text_features [m,D], " +
            $"logits_per_image [n,m], float32; {OutputPath.HelpNote}");
        var vocab = CommonOptions.Vocab();
        var command = new Command("embed", "Encode images and texts with a CLIP model") { model, dtype, images, texts, textFile, output, vocab };
        command.SetAction(parse =>
        {
            var imagePaths = parse.GetValue(images) ?? [];
            var allTexts = (parse.GetValue(texts) ?? []).ToList();
            if (parse.GetValue(textFile) is { } file)
                allTexts.AddRange(TextFile.ReadLines(file).Select(l => l.Text).Where(t => t.Length > 0));
            if (imagePaths.Length == 0 && allTexts.Count == 0) throw new CliException("Nothing to embed: give --image, --text or --text-file");

            using var clip = ClipModel.Load(parse.GetValue(model)!, progress: context.DownloadProgress(), imageDType: CommonOptions.ScalarTypeOf(parse.GetValue(dtype)!));
            string? vocabPath = allTexts.Count > 0 ? ReleasedVocabulary.Locate(parse.GetValue(vocab)) : null;
            OutputPath.Check(parse.GetValue(output)!,
                [parse.GetValue(textFile), clip.SourcePath, vocabPath, .. imagePaths]);
            var tokenizer = allTexts.Count > 0 ? ClipTokenizer.Load(parse.GetValue(vocab)) : null;
            using var imageFeatures = EncodeImages(clip, imagePaths, context);
            using var textFeatures = tokenizer is null
                ? zeros(0, clip.Config.EmbedDim)
                : clip.EncodeText(ClipTokenizer.Tokenize(allTexts, clip.ContextLength, tokenizer: tokenizer));
            using var logits = imagePaths.Length > 0 && allTexts.Count > 0 ? clip.Logits(imageFeatures, textFeatures) : zeros(imagePaths.Length, allTexts.Count);
            SafeTensors.Write(parse.GetValue(output)!, new Dictionary<string, Tensor>
            {
                ["image_features"] = imageFeatures, ["text_features"] = textFeatures, ["logits_per_image"] = logits,
            }, new Dictionary<string, string>
            {
                ["images"] = System.Text.Json.JsonSerializer.Serialize(imagePaths.Select(Path.GetFileName)),
                ["texts"] = System.Text.Json.JsonSerializer.Serialize(allTexts),
            });
            context.Output.WriteLine($"{parse.GetValue(output)}: {imagePaths.Length} image(s), {allTexts.Count} text(s), embed dim {clip.Config.EmbedDim}");
            return 0;
        });
        return command;
    }

    static Tensor EncodeImages(ClipModel clip, string[] paths, CliContext context)
    {
        if (paths.Length == 0) return zeros(0, clip.Config.EmbedDim);
        var preprocessor = new ClipPreprocessor(clip.ImageResolution);
        var parts = new List<Tensor>();
        var progress = context.Counter("Encoding images", paths.Length);
        for (int start = 0; start < paths.Length; start += BatchSize)
        {
            using var batch = preprocessor.Batch(paths[start..Math.Min(start + BatchSize, paths.Length)]);
            if (batch.Errors.Count > 0) throw new ImageException(string.Join("; ", batch.Errors.Select(e => e.Message)));
            parts.Add(clip.EncodeImage(batch.Images));
            progress(Math.Min(start + BatchSize, paths.Length));
        }
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }
}
