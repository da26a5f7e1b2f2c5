using System.IO.Compression;
using ClipSharp.Evaluation;

namespace ClipSharp.Datasets;

/// <summary>
/// Unpacks the files of a zip archive that a caller asks for into one flat folder, trusting nothing in the archive:
/// entries with absolute paths, <c>..</c> segments or symbolic links are skipped (never followed), folders inside the
/// archive are flattened, a name already written is not overwritten, and the entry count, each file's size and the
/// total are capped while the bytes are read (a declared size may lie). A damaged or truncated archive is an error.
/// </summary>
internal static class SafeZipExtractor
{
    const int KeptReasons = 20;
    const int UnixFileTypeMask = 0xF000, UnixSymlink = 0xA000;

    /// <summary>Extracts into <paramref name="targetDirectory"/> each entry whose file name
    /// <paramref name="maxBytesOf"/> gives a size cap for (null: not wanted, skipped); <paramref name="cancel"/> is
    /// checked between entries.</summary>
    public static ExtractionResult Extract(string archive, string targetDirectory, Func<string, long?> maxBytesOf,
        int maxEntries, long maxTotalBytes, Action<int, int>? progress = null, CancellationToken cancel = default)
    {
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(targetDirectory));
        Directory.CreateDirectory(target);
        var written = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var skipped = new List<string>();
        int skippedCount = 0;
        long total = 0;
        try
        {
            using var zip = ZipFile.OpenRead(archive);
            int count = zip.Entries.Count;
            if (count > maxEntries)
                throw new DataSetException(
                    $"Archive '{archive}' has {count} entries, more than the {maxEntries} allowed");
            for (int i = 0; i < count; i++)
            {
                cancel.ThrowIfCancellationRequested();
                var entry = zip.Entries[i];
                progress?.Invoke(i + 1, count);
                if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\')) continue; // a folder
                string name = FlatName(entry.FullName);
                string? why = Unsafe(entry);
                long? cap = why is null ? maxBytesOf(name) : null;
                if (why is null && cap is null) why = "not a file of the data set";
                else if (why is null && !names.Add(name)) why = "a second copy of " + name;
                if (why is not null)
                {
                    if (skippedCount++ < KeptReasons) skipped.Add($"{entry.FullName}: {why}");
                    continue;
                }
                if (entry.Length > cap)
                    throw new DataSetException($"Archive '{archive}': entry '{entry.FullName}' declares " +
                        $"{entry.Length} bytes, more than the {cap} allowed for it");
                string path = Path.GetFullPath(Path.Combine(target, name));
                if (Path.GetDirectoryName(path) != target) // the caller's names are plain file names; never trust that
                    throw new DataSetException(
                        $"Archive '{archive}': entry '{entry.FullName}' would land outside {target}");
                total += Copy(entry, path, cap!.Value, maxTotalBytes - total, archive);
                written.Add(name);
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataSetException($"Archive '{archive}' is damaged or incomplete: {e.Message}", e);
        }
        return new ExtractionResult(written, skipped, skippedCount);
    }

    /// <summary>Why an entry must not be written anywhere, or null.</summary>
    static string? Unsafe(ZipArchiveEntry entry)
    {
        string name = entry.FullName.Replace('\\', '/');
        if (name.Contains('\0')) return "a NUL in its name";
        if (name.StartsWith('/') || name.Length >= 2 && name[1] == ':') return "an absolute path";
        if (name.Split('/').Any(s => s == "..")) return "a '..' in its path";
        if (((entry.ExternalAttributes >> 16) & UnixFileTypeMask) == UnixSymlink) return "a symbolic link";
        return null;
    }

    static string FlatName(string fullName) => fullName.Replace('\\', '/').Split('/')[^1];

    /// <summary>Copies one entry, counting the bytes actually inflated against both caps.</summary>
    static long Copy(ZipArchiveEntry entry, string path, long cap, long totalLeft, string archive)
    {
        using var input = entry.Open();
        using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        var buffer = new byte[1 << 16];
        long copied = 0;
        int n;
        while ((n = input.Read(buffer)) > 0)
        {
            copied += n;
            if (copied > cap)
                throw new DataSetException($"Archive '{archive}': entry '{entry.FullName}' inflates past the {cap} " +
                    "bytes allowed for it");
            if (copied > totalLeft)
                throw new DataSetException($"Archive '{archive}' inflates past the total allowed; stopped at " +
                    $"'{entry.FullName}'");
            output.Write(buffer, 0, n);
        }
        return copied;
    }
}
