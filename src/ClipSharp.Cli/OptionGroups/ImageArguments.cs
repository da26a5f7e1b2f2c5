using System.CommandLine;
using ClipSharp.Analyses;

namespace ClipSharp.Cli.OptionGroups;

/// <summary>Images given the same way on every verb: positional arguments, each a file, a folder (every image under
/// it) or a glob pattern (<c>"faces/*.png"</c>, <c>"data/**/*.jpg"</c>).</summary>
sealed class ImageArguments
{
    public Argument<string[]> Images { get; }

    readonly bool required;

    /// <param name="description">What the verb does with them.</param>
    /// <param name="required">At least one must be given.</param>
    public ImageArguments(string description, bool required = true)
    {
        this.required = required;
        Images = new("images")
        {
            Description = $"{description}: files, folders (every image under them) or glob patterns such as " +
                "\"faces/*.png\"",
            Arity = required ? ArgumentArity.OneOrMore : ArgumentArity.ZeroOrMore,
        };
    }

    /// <summary>The image files, in the order given; folders and patterns expanded, each file once. When images are
    /// required, folders that hold none are an error naming them.</summary>
    public IReadOnlyList<string> Files(ParseResult parse, IEnumerable<string>? more = null)
    {
        string[] given = [.. parse.GetValue(Images) ?? [], .. more ?? []];
        var files = Expand(given);
        if (required && files.Count == 0)
            throw new CliException($"No images in {string.Join(", ", given.Select(g => $"'{g}'"))}");
        return files;
    }

    public static IReadOnlyList<string> Expand(IEnumerable<string> given)
    {
        var entries = new List<string>();
        foreach (var item in given)
        {
            if (!Glob.IsPattern(item) || File.Exists(item) || Directory.Exists(item)) { entries.Add(item); continue; }
            // a pattern's files count only if they are images ("faces/*" next to a labels.csv)
            var matches = Glob.Expand(item).Where(m => Directory.Exists(m) || IsImageName(m)).ToList();
            if (matches.Count == 0) throw new CliException($"No image or folder matches '{item}'");
            entries.AddRange(matches);
        }
        return ImageFiles.Expand(entries);
    }

    // The extensions a folder walk takes (ImageFiles keeps its list private).
    static bool IsImageName(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".gif" or ".bmp" or ".webp";
}
