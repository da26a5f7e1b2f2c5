using System.CommandLine;
using System.Text.Json;
using ClipSharp.Analyses;
using ClipSharp.Checkpoints;
using ClipSharp.Imaging;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.ZeroShot;
using static TorchSharp.torch;
using ClipSharp.Loading;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip saliency IMAGE… --output X.safetensors [--overlay DIR]</c>: Grad-CAM maps of each image for each
/// zero-shot class (ResNet models), keyed <c>&lt;file name&gt;:&lt;class index&gt;</c>, float32 [G, G].</summary>
static class SaliencyCommand
{
    const int BatchSize = 8;

    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model(defaultValue: "RN50");
        var dtype = CommonOptions.DType();
        dtype.Description = "Accepted for symmetry with evaluate; saliency always computes in fp32 (exact gradients)";
        var classes = new Option<string[]>("--class", "-c")
        {
            Description = "A class name (repeat for each class); default: 'no glasses', 'glasses'",
        };
        var templates = new Option<string[]>("--template", "-t")
        {
            Description = "A prompt template with {} for the class (repeat to ensemble); default {}",
        };
        var images = new Argument<string[]>("images")
        {
            Description = "Images to explain", Arity = ArgumentArity.OneOrMore,
        };
        var output = CommonOptions.Output(
            "The .safetensors file: for each image and class index k, '<file name>:<k>', " +
            "a float32 [G, G] Grad-CAM map");
        var overlay = new Option<string?>("--overlay")
        {
            Description = "Also write <stem>.<class>.png into this folder: each map over the crop the model saw " +
                $"(224² for RN50); each {OutputPath.HelpNote}",
            HelpName = "DIR",
        };
        var vocab = CommonOptions.Vocab();
        var command = new Command("saliency",
            "Grad-CAM maps (ResNet models): where each image's evidence for each zero-shot class lies")
            { model, dtype, classes, templates, images, output, overlay, vocab };
        command.SetAction(parse =>
        {
            var paths = parse.GetValue(images)!;
            var duplicate = paths.GroupBy(Path.GetFileName).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
                throw new CliException($"Two images are named '{duplicate.Key}' ({string.Join(", ", duplicate)}); " +
                    "maps are keyed by file name");
            string? overlayDirectory = parse.GetValue(overlay);
            var sameStem = paths.GroupBy(Path.GetFileNameWithoutExtension).FirstOrDefault(g => g.Count() > 1);
            if (overlayDirectory is not null && sameStem is not null)
                throw new CliException($"Two images have the stem '{sameStem.Key}' ({string.Join(", ", sameStem)}); " +
                    "overlays are named <stem>.<class>.png");
            var classNames = parse.GetValue(classes) is { Length: > 0 } given ? given : EvaluateCommand.DefaultClasses;
            var prompts = PromptSet.Create(classNames, parse.GetValue(templates));
            if (parse.GetValue(dtype) == "bf16")
                context.Error.WriteLine("note: saliency computes in fp32 (exact gradients); --dtype bf16 is not used");

            var slugs = OverlayNames.ClassSlugs(prompts.Classes);
            var overlayFiles = overlayDirectory is null ? [] : OverlayNames.Files(overlayDirectory, paths, slugs);
            using var clip = ClipModel.Load(parse.GetValue(model)!, progress: context.DownloadProgress());
            GradCam.RequireResNet(clip);
            // before the work: neither the maps nor an overlay may replace an input (an image, the model, the vocab)
            OutputPath.CheckAll([parse.GetValue(output)!, .. overlayFiles],
                [clip.SourcePath, ReleasedVocabulary.Locate(parse.GetValue(vocab)), .. paths]);
            using var classifier = ZeroShotClassifier.Create(clip, prompts, ClipTokenizer.Load(parse.GetValue(vocab)));
            using var gradCam = new GradCam(clip, classifier);
            var preprocessor = new ClipPreprocessor(clip.ImageResolution);
            var maps = new Dictionary<string, Tensor>();
            var progress = context.Counter("Grad-CAM", paths.Length);
            try
            {
                for (int start = 0; start < paths.Length; start += BatchSize)
                {
                    var batch = paths[start..Math.Min(start + BatchSize, paths.Length)];
                    var pixels = batch.Select(p => preprocessor.Pixels(p)).ToList();
                    using var input = preprocessor.Stack(pixels);
                    using var batchMaps = gradCam.Maps(input);
                    for (int i = 0; i < batch.Length; i++)
                        for (int k = 0; k < prompts.Classes.Count; k++)
                        {
                            using var view = batchMaps[i, k];
                            var map = view.clone();
                            maps[$"{Path.GetFileName(batch[i])}:{k}"] = map;
                            if (overlayDirectory is null) continue;
                            SaliencyOverlay.WritePng(overlayFiles[(start + i) * slugs.Length + k],
                                SaliencyOverlay.Blend(pixels[i], clip.ImageResolution, map.data<float>().ToArray(),
                                    gradCam.GridSize), clip.ImageResolution);
                        }
                    progress(start + batch.Length);
                }
                SafeTensors.Write(parse.GetValue(output)!, maps, new Dictionary<string, string>
                {
                    ["images"] = JsonSerializer.Serialize(paths.Select(Path.GetFileName)),
                    ["classes"] = JsonSerializer.Serialize(prompts.Classes),
                    ["templates"] = JsonSerializer.Serialize(prompts.Templates),
                    ["what"] = "Grad-CAM of layer4 for the zero-shot logit exp(logit_scale)·cos; " +
                        "ReLU(sum_c alpha_c A_c), not normalised",
                });
            }
            finally
            {
                foreach (var t in maps.Values) t.Dispose();
            }
            context.Output.WriteLine(
                $"{parse.GetValue(output)}: {paths.Length} image(s) × {prompts.Classes.Count} class(es), " +
                $"Grad-CAM maps [{gradCam.GridSize}, {gradCam.GridSize}]" +
                (overlayDirectory is null ? "" : $"; overlays in {overlayDirectory}"));
            return 0;
        });
        return command;
    }
}
