using System.CommandLine;
using ClipSharp.Checkpoints;
using ClipSharp.Datasets;
using ClipSharp.Downloads;
using ClipSharp.Loading;
using ClipSharp.Settings;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip download NAME</c>: a released checkpoint and the BPE vocab into weights/, or <c>glasses</c>: the
/// Kaggle data set into data/glasses; each verified, and files already there re-verified.</summary>
sealed class DownloadCommand : Command
{
    public const string Glasses = "glasses";

    readonly CliContext context;
    readonly Argument<string> name = new("name")
    {
        Description = "A registry name (RN50, RN101, RN50x4, RN50x16, RN50x64, ViT-B/32, ViT-B/16, ViT-L/14, " +
            "ViT-L/14@336px), or 'glasses' for the Kaggle \"Glasses or No Glasses\" set",
    };
    readonly Option<string?> mirror = new("--mirror")
    {
        Description = "Fetch from this base URL instead: <mirror>/<sha256>/<file> for weights, " +
            "<mirror>/glasses-or-no-glasses.zip (or the .zip URL itself) for glasses; also CLIP_MIRROR",
    };
    readonly Option<bool> force = new("--force") { Description = "Download again even when the files are present" };
    readonly Option<string> data = new("--data", "-d")
    {
        Description = "Where 'glasses' goes", DefaultValueFactory = _ => GlassesDataset.DefaultDirectory,
    };

    public DownloadCommand(CliContext context)
        : base("download", "Download a released checkpoint and the BPE vocab into weights/ (SHA-256 verified), or " +
            "the glasses data set into data/glasses; files appear only when complete. A download fails when the " +
            "server sends nothing for CLIP_DOWNLOAD_TIMEOUT seconds (60) or, after that long, averages under " +
            "CLIP_DOWNLOAD_MIN_RATE KiB/s (8; 0 = no minimum)")
    {
        this.context = context;
        Arguments.Add(name);
        foreach (var option in new Option[] { mirror, force, data }) Options.Add(option);
        SetAction(parse =>
        {
            try { return Run(parse); }
            catch (DownloadInterruptedException e) // Ctrl+C or kill: the temporary files are gone; say so
            {
                context.StopProgress();
                context.Error.WriteLine($"error: {e.Message}");
                return e.ExitCode;
            }
        });
    }

    /// <summary>The download itself: a registry name, or the glasses set.</summary>
    int Run(ParseResult parse)
    {
        string what = parse.GetValue(name)!;
        if (string.Equals(what, Glasses, StringComparison.OrdinalIgnoreCase))
            return DownloadGlasses(context, parse.GetValue(data)!, parse.GetValue(mirror), parse.GetValue(force));
        var model = ModelRegistry.Find(what) ?? throw new CliException(
            $"{ModelRegistry.UnknownModelMessage(what)}; or '{Glasses}' for the data set");
        var files = ModelFiles.DownloadAsync(model, ClipSettings.Current.WeightsDirectory, context.DownloadProgress(),
            parse.GetValue(mirror), force: parse.GetValue(force)).GetAwaiter().GetResult();
        context.StopProgress();
        foreach (var file in files)
            context.Output.WriteLine($"{file.Path}: SHA-256 {file.Sha256[..12]}… verified " +
                (file.Downloaded ? "(downloaded)" : "(already present; --force downloads it again)"));
        return 0;
    }

    /// <summary>Fetches the glasses set (also used by <c>evaluate</c> on first use) and reports what it got.</summary>
    public static int DownloadGlasses(CliContext context, string directory, string? mirror, bool force)
    {
        Action<int>? counter = null;
        var fetch = new KaggleDownloader().DownloadAsync(directory, mirror, force, context.DownloadProgress(),
            (done, total) => (counter ??= context.Counter("Unpacking", total))(done)).GetAwaiter().GetResult();
        context.StopProgress();
        if (fetch.Extraction is { SkippedCount: > 0 } extraction)
        {
            context.Error.WriteLine(
                $"Left out {extraction.SkippedCount} archive entries that are not the set's files:");
            foreach (var reason in extraction.Skipped) context.Error.WriteLine($"  {reason}");
        }
        context.Output.WriteLine($"{fetch.Summary} " +
            (fetch.Downloaded ? "(downloaded)" : "(already present; --force downloads it again)"));
        return 0;
    }
}
