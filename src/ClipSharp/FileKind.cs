namespace ClipSharp;

/// <summary>What a directory entry is, as the file system tells (a symbolic link is not followed).</summary>
internal enum FileKind
{
    Missing,
    RegularFile,
    Directory,
    SymbolicLink,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
    Unknown,
}
