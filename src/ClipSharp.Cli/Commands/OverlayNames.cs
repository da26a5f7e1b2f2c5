using System.Text;

namespace ClipSharp.Cli.Commands;

/// <summary>File-name parts for saliency overlays: each class as a lowercase slug ("no glasses" → "no-glasses"),
/// unique among the classes.</summary>
static class OverlayNames
{
    public static string[] ClassSlugs(IReadOnlyList<string> classes)
    {
        var slugs = classes.Select(Slug).ToArray();
        for (int k = 0; k < slugs.Length; k++)
            if (slugs[k].Length == 0 || Array.IndexOf(slugs, slugs[k]) != k)
                slugs[k] = $"{slugs[k]}-{k}".TrimStart('-');
        return slugs;
    }

    /// <summary>The overlay files of <paramref name="images"/> in <paramref name="folder"/>, image-major:
    /// <c>&lt;stem&gt;.&lt;slug&gt;.png</c> for each image, then each class. The folder must be one, or not exist
    /// yet.</summary>
    public static string[] Files(string folder, IReadOnlyList<string> images, IReadOnlyList<string> slugs)
    {
        OutputPath.CheckFolder(folder, "--overlay", "the overlays");
        return [.. images.SelectMany(image => slugs.Select(slug =>
            Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(image)}.{slug}.png")))];
    }

    static string Slug(string name)
    {
        var slug = new StringBuilder();
        foreach (char c in name.ToLowerInvariant())
            if (char.IsAsciiLetterOrDigit(c)) slug.Append(c);
            else if (slug.Length > 0 && slug[^1] != '-') slug.Append('-');
        return slug.ToString().TrimEnd('-');
    }
}
