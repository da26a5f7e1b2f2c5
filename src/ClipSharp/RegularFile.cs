namespace ClipSharp;

/// <summary>
/// The gate every reader of an input file (image, labels, vocabulary, checkpoint, text) passes before opening it:
/// the path must lead to a regular file of bounded size. Opening a FIFO blocks until a writer comes, and a device
/// (<c>/dev/zero</c>) never ends; <see cref="FileStatus"/> tells them apart.
/// </summary>
internal static class RegularFile
{
    /// <summary>Why <paramref name="path"/> cannot be read as data of at most <paramref name="maxBytes"/> bytes, or
    /// null when it can (so far as a check before opening can tell). The text completes "File 'x' …".</summary>
    public static string? Problem(string path, long maxBytes, bool allowEmpty = false)
    {
        var kind = FileStatus.OfTarget(path).Kind;
        if (kind == FileKind.Missing) return "cannot be read: no such file";
        if (kind == FileKind.Directory) return "is a directory, not a file";
        if (kind != FileKind.RegularFile) return $"is a {Describe(kind)}, not a regular file";
        long length;
        try { length = new FileInfo(path).Length; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read: {e.Message}";
        }
        if (length == 0 && !allowEmpty) return "is empty";
        if (length > maxBytes) return $"is {length:N0} bytes, over the limit of {maxBytes:N0} bytes";
        return null;
    }

    /// <summary>The whole file, read only after <see cref="Problem"/> found none, and never more than
    /// <paramref name="maxBytes"/> bytes even if it grows meanwhile; <paramref name="error"/> makes the exception.
    /// </summary>
    public static byte[] ReadAll(string path, long maxBytes, Func<string, Exception?, ClipSharpException> error,
        bool allowEmpty = false)
    {
        try
        {
            using var stream = OpenRead(path, maxBytes, error, allowEmpty, bufferSize: 1);
            var data = new byte[stream.Length];
            stream.ReadExactly(data);
            if (stream.ReadByte() >= 0) throw error("changed size while it was read", null);
            return data;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw error($"cannot be read: {e.Message}", e);
        }
    }

    /// <summary>A read-only stream on the file once <see cref="Problem"/> found none. A file swapped for a device
    /// between the check and the open is caught too: only a regular file is seekable.</summary>
    public static FileStream OpenRead(string path, long maxBytes, Func<string, Exception?, ClipSharpException> error,
        bool allowEmpty = false, int bufferSize = 1 << 16)
    {
        if (Problem(path, maxBytes, allowEmpty) is { } problem) throw error(problem, null);
        FileStream stream;
        try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw error($"cannot be read: {e.Message}", e);
        }
        string? late = !stream.CanSeek ? "is not a regular file"
            : stream.Length > maxBytes ? $"is {stream.Length:N0} bytes, over the limit of {maxBytes:N0} bytes"
            : null;
        if (late is null) return stream;
        stream.Dispose();
        throw error(late, null);
    }

    static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "FIFO (named pipe)",
        FileKind.CharacterDevice => "character device",
        FileKind.BlockDevice => "block device",
        FileKind.Socket => "socket",
        FileKind.SymbolicLink => "symbolic link",
        _ => "special file",
    };
}
