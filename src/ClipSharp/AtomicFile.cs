using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ClipSharp;

/// <summary>
/// Writes a file next to its destination and renames it into place, so a failure never leaves half a file. The
/// destination must be a regular file or nothing (see <see cref="OutputPath"/>): a device, FIFO, directory or symbolic
/// link there is refused, never replaced. The temporary file is named <c>NAME.PID.RANDOM.partial</c> and is locked
/// (exclusive <c>flock</c>) while written; a write deletes the <c>.partial</c> siblings of its destination that a dead
/// process left (its pid is not running and nobody holds its lock), so killed conversions do not pile up.
/// </summary>
public static class AtomicFile
{
    const string Suffix = ".partial";

    public static void Write(string path, Action<Stream> write)
    {
        string full = OutputPath.CheckKind(path);
        string directory = Path.GetDirectoryName(full)!, name = Path.GetFileName(full);
        try { Directory.CreateDirectory(directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new OutputPathException($"Cannot create the folder of output '{path}': {e.Message}", e); }
        DeleteStalePartials(directory, name);
        string temp = Path.Combine(directory, $"{name}.{Environment.ProcessId}.{Guid.NewGuid():N}{Suffix}");
        try
        {
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                    write(stream);
                OutputPath.CheckKind(path); // again: something else may have appeared there while we wrote
                File.Move(temp, full, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            { throw new OutputPathException($"Cannot write output '{path}': {e.Message}", e); }
        }
        finally
        {
            try { if (File.Exists(temp)) File.Delete(temp); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* best effort */ }
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, stream => { using var writer = new StreamWriter(stream, leaveOpen: true); writer.Write(text); });

    /// <summary>Deletes <c>NAME.PID.RANDOM.partial</c> files in <paramref name="directory"/> whose writer is gone:
    /// the pid runs no process and the file's lock can be taken. Anything else (a live writer, another name) is
    /// left.</summary>
    internal static void DeleteStalePartials(string directory, string name)
    {
        foreach (var file in DeadTemporaries(directory, name, FileKind.RegularFile))
        {
            try
            {
                // A live writer holds an exclusive lock on its temporary file (FileShare.None is flock on Unix).
                using (new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* in use, or not ours */ }
        }
    }

    /// <summary>The <c>NAME.PID.RANDOM.partial</c> entries of <paramref name="kind"/> (files, or the folders a
    /// download unpacks into) in <paramref name="directory"/> whose pid runs no process.</summary>
    internal static List<string> DeadTemporaries(string directory, string name, FileKind kind)
    {
        var pattern = new Regex($"^{Regex.Escape(name)}\\.(\\d{{1,10}})\\.[0-9a-f]{{32}}{Regex.Escape(Suffix)}$");
        List<string> candidates;
        try
        {
            candidates = !Directory.Exists(directory) ? []
                : kind == FileKind.Directory ? [.. Directory.EnumerateDirectories(directory, "*" + Suffix)]
                : [.. Directory.EnumerateFiles(directory, "*" + Suffix)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
        return [.. candidates.Where(entry => pattern.Match(Path.GetFileName(entry)) is { Success: true } match
            && int.TryParse(match.Groups[1].Value, out int pid) && !IsRunning(pid)
            && FileStatus.OfEntry(entry).Kind == kind)];
    }

    static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return false; }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or NotSupportedException) { return true; }
    }
}
