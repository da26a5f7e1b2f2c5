using ClipSharp.Loading;
using System.CommandLine;
using System.Text.Json;
using ClipSharp.Analyses;
using ClipSharp.Cli.OptionGroups;
using ClipSharp.Checkpoints;
using ClipSharp.Imaging;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.ZeroShot;
using static TorchSharp.torch;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip saliency IMAGE… --output X.safetensors [--overlay DIR]</c>: Grad-CAM maps of each image for each
/// zero-shot class (ResNet models), keyed <c>&lt;file name&gt;:&lt;class index&gt;</c>, float32 [G, G].</summary>
sealed class SaliencyCommand : Command
{
    const int BatchSize = 8;

    readonly CliContext context;
    readonly ModelOptions model = new();
    readonly PromptOptions prompts = new();
    readonly ImageArguments images = new("Images to explain");
    readonly Option<string> output = CommonOptions.Output(
        "The .safetensors file: for each image and class index k, '<file name>:<k>', a float32 [G, G] Grad-CAM map");
    readonly Option<string?> overlay = new("--overlay")
    {
        Description = "Also write <stem>.<class>.png into this folder: each map over the crop the model saw " +
            $"(224² for RN50); each {OutputPath.HelpNote}",
        HelpName = "DIR",
    };

    public SaliencyCommand(CliContext context)
        : base("saliency", "Grad-CAM maps (ResNet models): where each image's evidence for each zero-shot class lies")
    {
        this.context = context;
        model.DType.Description = "Accepted for symmetry with evaluate; saliency always computes in fp32 " +
            "(exact gradients)";
        Arguments.Add(images.Images);
        model.AddTo(this);
        prompts.AddTo(this);
        Options.Add(output);
        Options.Add(overlay);
        SetAction(Run);
    }

    int Run(ParseResult parse)
    {
        string[] paths = [.. images.Files(parse)];
        var duplicate = paths.GroupBy(Path.GetFileName).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new CliException($"Two images are named '{duplicate.Key}' ({string.Join(", ", duplicate)}); " +
                "maps are keyed by file name");
        string? overlayDirectory = parse.GetValue(overlay);
        var sameStem = paths.GroupBy(Path.GetFileNameWithoutExtension).FirstOrDefault(g => g.Count() > 1);
        if (overlayDirectory is not null && sameStem is not null)
            throw new CliException($"Two images have the stem '{sameStem.Key}' ({string.Join(", ", sameStem)}); " +
                "overlays are named <stem>.<class>.png");
        var promptSet = prompts.Prompts(parse);
        if (parse.GetValue(model.DType) == DTypes.Bf16)
            context.Error.WriteLine("note: saliency computes in fp32 (exact gradients); --dtype bf16 is not used");

        var slugs = OverlayNames.ClassSlugs(promptSet.Classes);
        var overlayFiles = overlayDirectory is null ? [] : OverlayNames.Files(overlayDirectory, paths, slugs);
        using var clip = ClipModel.Load(model.Name(parse), progress: context.DownloadProgress());
        GradCam.RequireResNet(clip);
        // before the work: neither the maps nor an overlay may replace an input (an image, the model, the vocab)
        OutputPath.CheckAll([parse.GetValue(output)!, .. overlayFiles],
            [clip.SourcePath, model.VocabPath(parse), .. paths]);
        using var classifier = ZeroShotClassifier.Create(clip, promptSet, model.Tokenizer(parse));
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
                    for (int k = 0; k < promptSet.Classes.Count; k++)
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
                ["classes"] = JsonSerializer.Serialize(promptSet.Classes),
                ["templates"] = JsonSerializer.Serialize(promptSet.Templates),
                ["what"] = "Grad-CAM of layer4 for the zero-shot logit exp(logit_scale)·cos; " +
                    "ReLU(sum_c alpha_c A_c), not normalised",
            });
        }
        finally
        {
            foreach (var t in maps.Values) t.Dispose();
        }
        context.StopProgress();
        context.Output.WriteLine(
            $"{parse.GetValue(output)}: {paths.Length} image(s) × {promptSet.Classes.Count} class(es), " +
            $"Grad-CAM maps [{gradCam.GridSize}, {gradCam.GridSize}]" +
            (overlayDirectory is null ? "" : $"; overlays in {overlayDirectory}"));
        return 0;
    }
}
