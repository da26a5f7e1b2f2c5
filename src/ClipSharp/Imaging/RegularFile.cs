using System.Runtime.InteropServices;

namespace ClipSharp.Imaging;

/// <summary>
/// Checks that a path names a regular file of bounded size before anything opens it: opening a FIFO blocks until a
/// writer comes, and a device (<c>/dev/zero</c>) never ends. Every reader of images and labels goes through here.
/// </summary>
internal static class RegularFile
{
    /// <summary>Why <paramref name="path"/> cannot be read as data of at most <paramref name="maxBytes"/> bytes, or
    /// null when it can (so far as a check before opening can tell).</summary>
    public static string? Problem(string path, long maxBytes)
    {
        if (Directory.Exists(path)) return "is a directory, not a file";
        if (!File.Exists(path)) return "cannot be read: no such file";
        if (Kind(path) is { } kind) return $"is a {kind}, not a regular file";
        long length = new FileInfo(path).Length;
        if (length == 0) return "is empty";
        if (length > maxBytes) return $"is {length:N0} bytes, over the limit of {maxBytes:N0} bytes";
        return null;
    }

    /// <summary>The whole file, read only after <see cref="Problem"/> found none, and never more than
    /// <paramref name="maxBytes"/> bytes even if it grows meanwhile; <paramref name="error"/> makes the exception.
    /// </summary>
    public static byte[] ReadAll(string path, long maxBytes, Func<string, Exception?, ClipSharpException> error)
    {
        if (Problem(path, maxBytes) is { } problem) throw error(problem, null);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            long length = stream.Length;
            if (length > maxBytes) throw error($"is {length:N0} bytes, over the limit of {maxBytes:N0} bytes", null);
            var data = new byte[length];
            stream.ReadExactly(data);
            if (stream.ReadByte() >= 0) throw error("changed size while it was read", null);
            return data;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw error($"cannot be read: {e.Message}", e);
        }
    }

    // The file type from stat(2) through the runtime's own native shim (whose FileStatus layout and S_IF* values are
    // the same on every Unix); null for a regular file, or where the shim is not there (Windows).
    static string? Kind(string path)
    {
        if (OperatingSystem.IsWindows()) return null;
        int mode;
        try
        {
            var status = new byte[256]; // FileStatus is ~130 bytes; Mode is its second int32
            if (Stat(path, status) != 0) return null; // gone meanwhile: opening it will say so
            mode = BitConverter.ToInt32(status, 4);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
        return (mode & 0xF000) switch
        {
            0x8000 => null,
            0x1000 => "FIFO (named pipe)",
            0x2000 => "character device",
            0x6000 => "block device",
            0xC000 => "socket",
            0x4000 => "directory",
            _ => "special file",
        };
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", CharSet = CharSet.Ansi)]
    static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] status);
}
