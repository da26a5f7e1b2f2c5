using System.CommandLine;
using ClipSharp.Checkpoints;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip download NAME</c>: fetch a released checkpoint and the BPE vocab, verified, into weights/.</summary>
static class DownloadCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "A registry name: RN50, RN101, RN50x4, RN50x16, RN50x64, ViT-B/32, ViT-B/16, ViT-L/14, ViT-L/14@336px" };
        var mirror = new Option<string?>("--mirror") { Description = "Fetch from this base URL (<mirror>/<sha256>/<file>) instead of the release host; also CLIP_MIRROR" };
        var command = new Command("download", "Download a released checkpoint and the BPE vocab into weights/, verifying SHA-256; files appear only when verified") { name, mirror };
        command.SetAction(parse =>
        {
            var model = ModelRegistry.Find(parse.GetValue(name)!) ?? throw new CliException(ModelRegistry.UnknownModelMessage(parse.GetValue(name)!));
            string weights = WorkspacePaths.WeightsDirectory;
            ModelRegistry.DownloadAsync(model, weights, context.DownloadProgress(), parse.GetValue(mirror)).GetAwaiter().GetResult();
            context.Output.WriteLine($"{model.Name}: {Path.Combine(weights, model.File)} (SHA-256 {model.Sha256[..12]}… verified)");
            return 0;
        });
        return command;
    }
}
