using System.Globalization;
using System.Security.Cryptography;
using ClipSharp.Checkpoints;

namespace ClipSharp.Loading;

/// <summary>
/// Checks a registered file (weights, BPE vocab) against its released SHA-256 before use. The full hash runs once;
/// then a stamp beside the file (<c>RN50.pt.verified</c>: sha256, size, modification time in ticks) lets later loads
/// skip it while the file keeps that size and time. The stamp is a cache, not a proof: a missing, unreadable or
/// stale stamp just means hashing again.
/// </summary>
public static class VerifiedFile
{
    public const string StampSuffix = ".verified";
    const int MaxStampBytes = 4096;

    public static string StampPath(string path) => path + StampSuffix;

    /// <summary>Verifies <paramref name="path"/> (from its stamp when that still matches, else by hashing) and returns
    /// true when it had to hash. A mismatch throws <see cref="CheckpointException"/> naming the file, both hashes and
    /// <paramref name="remedy"/>; the stamp is removed so nothing vouches for the file.</summary>
    public static bool Verify(string path, string expectedSha256, string remedy, bool ignoreStamp = false)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new CheckpointException($"'{path}' not found");
        if (!ignoreStamp && StampMatches(info, expectedSha256)) return false;
        string actual = Sha256Of(path);
        if (!actual.Equals(expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            TryDelete(StampPath(path));
            throw new CheckpointException($"'{path}' has SHA-256 {actual}, expected " +
                $"{expectedSha256.ToLowerInvariant()} (the released {info.Name}): it is damaged or another file. " +
                remedy);
        }
        Stamp(path, actual);
        return true;
    }

    /// <summary>Records that <paramref name="path"/>, as it is now, has the SHA-256
    /// <paramref name="sha256"/>.</summary>
    public static void Stamp(string path, string sha256)
    {
        var info = new FileInfo(path);
        string text = string.Create(CultureInfo.InvariantCulture,
            $"sha256 {sha256.ToLowerInvariant()}\nsize {info.Length}\nmtime {info.LastWriteTimeUtc.Ticks}\n");
        try { AtomicFile.WriteAllText(StampPath(path), text); }
        catch (OutputPathException) { } // a read-only folder (or no regular file possible there): hash each time
    }

    /// <summary>True when the stamp names this hash and the file's current size and modification time.</summary>
    public static bool StampMatches(FileInfo file, string expectedSha256)
    {
        string stamp = StampPath(file.FullName);
        if (RegularFile.Problem(stamp, MaxStampBytes) is not null) return false; // missing, a FIFO, too big: rehash
        Dictionary<string, string> fields;
        try
        {
            var text = System.Text.Encoding.UTF8.GetString(
                RegularFile.ReadAll(stamp, MaxStampBytes, (problem, inner) => new CheckpointException(problem, inner)));
            fields = text.Split('\n').Select(l => l.Split(' ', 2)).Where(p => p.Length == 2)
                .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1].Trim());
        }
        catch (CheckpointException) { return false; }
        return fields.GetValueOrDefault("sha256") is { } sha
            && sha.Equals(expectedSha256, StringComparison.OrdinalIgnoreCase)
            && fields.GetValueOrDefault("size") == file.Length.ToString(CultureInfo.InvariantCulture)
            && fields.GetValueOrDefault("mtime") == file.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The SHA-256 of a regular file (a FIFO or device in its place is refused, never read).</summary>
    public static string Sha256Of(string path)
    {
        using var f = RegularFile.OpenRead(path, long.MaxValue,
            (problem, inner) => new CheckpointException($"'{path}' {problem}", inner));
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
