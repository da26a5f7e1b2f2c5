namespace ClipSharp.Analyses;

/// <summary>The images named by a list of files and folders: a folder gives every image under it (sub-folders
/// included, ordinal path order); a file is taken as it is. Symbolic links are followed, but each real folder is
/// walked once and each real file listed once (same device and inode, under whatever path was met first), so a
/// link loop ends and a folder named twice, or inside another one named, adds nothing. The walk is bounded.
/// </summary>
public static class ImageFiles
{
    /// <summary>The most files and folders looked at under one folder named (its images are fewer).</summary>
    public const int MaxEntries = 1_000_000;

    static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"];

    public static IReadOnlyList<string> Expand(IEnumerable<string> filesOrFolders) =>
        Expand(filesOrFolders, MaxEntries);

    internal static IReadOnlyList<string> Expand(IEnumerable<string> filesOrFolders, int maxEntries)
    {
        var result = new List<string>();
        var files = new HashSet<string>(StringComparer.Ordinal);
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in filesOrFolders)
        {
            if (FileStatus.OfTarget(entry).Kind == FileKind.Directory)
                result.AddRange(Walk(entry, maxEntries, folders).Order(StringComparer.Ordinal)
                    .Where(path => files.Add(Identity(path))));
            else if (File.Exists(entry)) { if (files.Add(Identity(entry))) result.Add(entry); }
            else throw new FileNotFoundException($"Image or folder '{entry}' not found", entry);
        }
        return result;
    }

    // The images under root, depth first, skipping every folder already walked (so links back up end the walk).
    static List<string> Walk(string root, int maxEntries, HashSet<string> walked)
    {
        var images = new List<string>();
        var pending = new Stack<string>([root]);
        int looked = 0;
        while (pending.TryPop(out var folder))
        {
            if (!walked.Add(Identity(folder))) continue;
            // In reverse ordinal order, so sub-folders pop in ordinal order: which path a linked folder is listed
            // under does not depend on the order the file system returns entries in.
            var entries = Directory.EnumerateFileSystemEntries(folder).Take(maxEntries - looked + 1);
            foreach (var path in entries.Order(StringComparer.Ordinal).Reverse())
            {
                if (++looked > maxEntries)
                    throw new AnalysisException($"Folder '{root}' holds more than {maxEntries:N0} files and folders " +
                        "(sub-folders and linked folders included); name a smaller folder or the images themselves");
                if (FileStatus.OfTarget(path).Kind == FileKind.Directory) pending.Push(path);
                else if (Extensions.Contains(Path.GetExtension(path).ToLowerInvariant())) images.Add(path);
            }
        }
        return images;
    }

    // Device and inode where the system tells them, else the full path (links then count as different files; the
    // walk stays bounded all the same).
    static string Identity(string path) => FileStatus.OfTarget(path) is { HasIdentity: true } status
        ? $"{status.Device}:{status.Inode}"
        : "path:" + Path.GetFullPath(path);
}
