namespace ClipSharp.Analyses;

/// <summary>The images named by a list of files and folders: a folder gives every image under it (sub-folders
/// included, ordinal path order); a file is taken as it is.</summary>
public static class ImageFiles
{
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"];

    public static IReadOnlyList<string> Expand(IEnumerable<string> filesOrFolders)
    {
        var result = new List<string>();
        foreach (var entry in filesOrFolders)
        {
            if (Directory.Exists(entry))
                result.AddRange(Directory.EnumerateFiles(entry, "*", SearchOption.AllDirectories)
                    .Where(p => Extensions.Contains(Path.GetExtension(p).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal));
            else if (File.Exists(entry)) result.Add(entry);
            else throw new FileNotFoundException($"Image or folder '{entry}' not found", entry);
        }
        return result;
    }
}
