using System.Runtime.InteropServices;

namespace ClipSharp;

/// <summary>
/// The kind and identity (device, inode) of a path. .NET tells neither a device nor a FIFO from a regular file, and
/// has no inode, so on Linux this asks the kernel through <c>statx</c>, whose buffer layout is the same on every
/// architecture. On other Unix systems the kind comes from the runtime's own stat shim; elsewhere (Windows) from what
/// .NET can see (links, directories), and identity compares resolved full paths. This is the one place that tells
/// file kinds apart: <see cref="RegularFile"/> (inputs) and <see cref="OutputPath"/> (outputs) ask it.
/// </summary>
internal readonly record struct FileStatus(FileKind Kind, ulong Device, ulong Inode, bool HasIdentity)
{
    const int AtCurrentDirectory = -100, AtSymlinkNoFollow = 0x100;
    const uint StatxType = 0x1, StatxIno = 0x100;
    const int ErrorNoEntry = 2, ErrorNotDirectory = 20, ErrorNotImplemented = 38;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    static extern int Statx(int directoryFd, string path, int flags, uint mask, [Out] byte[] buffer);

    static bool statxWorks = OperatingSystem.IsLinux();

    /// <summary>The entry at <paramref name="path"/> itself (a link is reported as a link).</summary>
    public static FileStatus OfEntry(string path) => Query(path, followLinks: false);

    /// <summary>The file <paramref name="path"/> leads to (links followed).</summary>
    public static FileStatus OfTarget(string path) => Query(path, followLinks: true);

    /// <summary>Whether two paths lead to the same existing file: same device and inode (so hard links, symbolic
    /// links and any spelling of the path agree), else the same resolved full path.</summary>
    public static bool SameFile(string a, string b)
    {
        FileStatus x = OfTarget(a), y = OfTarget(b);
        if (x.Kind == FileKind.Missing || y.Kind == FileKind.Missing) return false;
        if (x.HasIdentity && y.HasIdentity) return x.Device == y.Device && x.Inode == y.Inode;
        bool caseless = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();
        return string.Equals(ResolvedFullPath(a), ResolvedFullPath(b),
            caseless ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    static FileStatus Query(string path, bool followLinks)
    {
        if (statxWorks)
        {
            try
            {
                var buffer = new byte[256];
                int flags = followLinks ? 0 : AtSymlinkNoFollow;
                if (Statx(AtCurrentDirectory, path, flags, StatxType | StatxIno, buffer) == 0) return FromStatx(buffer);
                int error = Marshal.GetLastPInvokeError();
                if (error is ErrorNoEntry or ErrorNotDirectory) return new(FileKind.Missing, 0, 0, false);
                if (error != ErrorNotImplemented) return Fallback(path, followLinks);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
            statxWorks = false;
        }
        return Fallback(path, followLinks);
    }

    // struct statx: stx_mode (u16) at 28, stx_ino (u64) at 32, stx_dev_major / stx_dev_minor (u32) at 136 / 140.
    static FileStatus FromStatx(byte[] b)
    {
        ulong device = ((ulong)BitConverter.ToUInt32(b, 136) << 32) | BitConverter.ToUInt32(b, 140);
        return new(KindOfMode(BitConverter.ToUInt16(b, 28)), device, BitConverter.ToUInt64(b, 32), true);
    }

    // The S_IFMT bits of st_mode, the same on every Unix.
    static FileKind KindOfMode(int mode) => (mode & 0xF000) switch
    {
        0x8000 => FileKind.RegularFile,
        0x4000 => FileKind.Directory,
        0xA000 => FileKind.SymbolicLink,
        0x2000 => FileKind.CharacterDevice,
        0x6000 => FileKind.BlockDevice,
        0x1000 => FileKind.Fifo,
        0xC000 => FileKind.Socket,
        _ => FileKind.Unknown,
    };

    static FileStatus Fallback(string path, bool followLinks)
    {
        if (!OperatingSystem.IsWindows() && RuntimeStatKind(path, followLinks) is { } kind)
            return new(kind, 0, 0, false);
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            if (!followLinks) return new(FileKind.SymbolicLink, 0, 0, false);
            FileSystemInfo? target;
            try { target = info.ResolveLinkTarget(returnFinalTarget: true); }
            catch (IOException) { target = null; } // a loop of links leads nowhere
            if (target is not { Exists: true }) return new(FileKind.Missing, 0, 0, false);
            return new(target is DirectoryInfo ? FileKind.Directory : FileKind.RegularFile, 0, 0, false);
        }
        if (Directory.Exists(path)) return new(FileKind.Directory, 0, 0, false);
        return new(info.Exists ? FileKind.RegularFile : FileKind.Missing, 0, 0, false);
    }

    // The kind through the runtime's native shim (libSystem.Native), whose FileStatus starts with Flags then Mode
    // (int32 each) on every Unix; null where it is missing or the path cannot be stat'ed (the .NET view decides).
    static FileKind? RuntimeStatKind(string path, bool followLinks)
    {
        try
        {
            var status = new byte[256]; // FileStatus is ~130 bytes
            int result = followLinks ? RuntimeStat(path, status) : RuntimeLStat(path, status);
            return result == 0 ? KindOfMode(BitConverter.ToInt32(status, 4)) : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    static extern int RuntimeStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] status);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat")]
    static extern int RuntimeLStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] status);

    static string ResolvedFullPath(string path)
    {
        var info = new FileInfo(path);
        return Path.GetFullPath(info.LinkTarget is null ? path : info.ResolveLinkTarget(true)?.FullName ?? path);
    }
}
