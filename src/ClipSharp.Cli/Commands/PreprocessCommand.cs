using System.CommandLine;
using ClipSharp.Checkpoints;
using ClipSharp.Cli.OptionGroups;
using ClipSharp.Imaging;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip preprocess IMAGE… --size N --output OUT.safetensors</c>: the official preprocessing, one tensor
/// per image.</summary>
sealed class PreprocessCommand : Command
{
    readonly CliContext context;
    readonly ImageArguments images = new("Images (PNG, JPEG, GIF, BMP, WebP)");
    readonly Option<int> size = new Option<int>("--size")
    {
        Description = "Output size N (the model's resolution)", DefaultValueFactory = _ => 224,
    }.Positive();
    readonly Option<string> output = CommonOptions.Output("The .safetensors file: one float32 [3, N, N] tensor per " +
        $"image, keyed by file name; {OutputPath.HelpNote}");
    readonly Option<long> maxPixels = new("--max-pixels")
    {
        Description = "Refuse larger images (decompression bombs)",
        DefaultValueFactory = _ => ImageLoader.DefaultMaxPixels,
    };

    public PreprocessCommand(CliContext context)
        : base("preprocess", "Resize, centre-crop, convert to RGB and normalise images exactly as the official " +
            "CLIP preprocess")
    {
        this.context = context;
        Arguments.Add(images.Images);
        foreach (var option in new Option[] { size, output, maxPixels }) Options.Add(option);
        SetAction(Run);
    }

    /// <summary>Fewer images are done in a moment: no progress for them.</summary>
    const int ProgressFrom = 32;

    int Run(ParseResult parse)
    {
        var paths = images.Files(parse);
        int n = parse.GetValue(size);
        var duplicate = paths.GroupBy(Path.GetFileName).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new CliException($"Two images are named '{duplicate.Key}' ({string.Join(", ", duplicate)}); " +
                "tensors are keyed by file name");
        OutputPath.Check(parse.GetValue(output)!, paths);

        var progress = paths.Count > ProgressFrom ? context.Counter("Preprocessing", paths.Count) : null;
        using var batch = new ClipPreprocessor(n, parse.GetValue(maxPixels)).Batch(paths, progress: progress);
        context.StopProgress();
        foreach (var e in batch.Errors) context.Error.WriteLine($"error: {e.Message}");
        var tensors = batch.Paths.Select((p, i) => (Path.GetFileName(p), batch.Images[i]))
            .ToDictionary(x => x.Item1, x => x.Item2);
        if (tensors.Count > 0) SafeTensors.Write(parse.GetValue(output)!, tensors);
        foreach (var t in tensors.Values) t.Dispose();
        context.Output.WriteLine($"{parse.GetValue(output)}: {tensors.Count} image(s) at {n}×{n}" +
            (batch.Errors.Count > 0 ? $"; {batch.Errors.Count} failed" : ""));
        return batch.Errors.Count == 0 ? 0 : 1;
    }
}
