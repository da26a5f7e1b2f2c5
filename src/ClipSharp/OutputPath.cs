namespace ClipSharp;

/// <summary>
/// The checks every file the library or the <c>clip</c> command writes goes through. An output is written only as a
/// regular file: a device, FIFO, socket or directory at its path is refused, and so is a symbolic link (the link is
/// neither followed nor replaced: give the real path, or remove the link). An output that is one of the command's own
/// inputs is refused too, whatever path spells it (./x, a/../x, a symbolic or hard link): inputs and output are
/// compared as files (device and inode), not as strings.
/// </summary>
public static class OutputPath
{
    /// <summary>What the help of an output option says about these rules.</summary>
    public const string HelpNote = "written as a regular file; a symbolic link, device, FIFO or directory there, " +
        "or an input of the command, is refused";

    /// <summary>Throws <see cref="OutputPathException"/> unless <paramref name="output"/> may be written: see the
    /// class. <paramref name="inputs"/> are the files the command reads (null ones are ignored); one that does not
    /// exist yet (a cache the command is about to create) is compared by where it would be.</summary>
    public static void Check(string output, IEnumerable<string?> inputs)
    {
        string full = CheckKind(output);
        bool exists = FileStatus.OfTarget(full).Kind != FileKind.Missing;
        foreach (var input in inputs)
            if (input is { Length: > 0 } && (exists ? FileStatus.SameFile(full, input) : SamePlace(full, input)))
                throw new OutputPathException((input == output
                    ? $"Output '{output}' is also an input of this command"
                    : $"Output '{output}' is the same file as the input '{input}'") +
                    ": writing it would destroy the input; choose another output path");
    }

    /// <summary><see cref="Check"/> for each of a command's outputs, which must also be distinct files: two
    /// outputs at one place would overwrite each other.</summary>
    public static void CheckAll(IReadOnlyList<string> outputs, IEnumerable<string?> inputs)
    {
        var inputList = inputs.ToList();
        for (int i = 0; i < outputs.Count; i++)
        {
            Check(outputs[i], inputList);
            for (int j = 0; j < i; j++)
                if (SamePlace(Path.GetFullPath(outputs[i]), outputs[j]))
                    throw new OutputPathException((outputs[j] == outputs[i]
                        ? $"Output '{outputs[i]}' is named twice"
                        : $"Outputs '{outputs[j]}' and '{outputs[i]}' are the same file") +
                        ": one would overwrite the other; choose distinct output paths");
        }
    }

    /// <summary>Whether <paramref name="other"/> is, or would be, the file at <paramref name="full"/> when that
    /// does not exist: the same name in the same folder (folders compared as files where they exist).</summary>
    static bool SamePlace(string full, string other)
    {
        if (FileStatus.OfTarget(full).Kind != FileKind.Missing) return FileStatus.SameFile(full, other);
        string otherFull;
        try { otherFull = Path.GetFullPath(other); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        { return false; }
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
            ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (!string.Equals(Path.GetFileName(full), Path.GetFileName(otherFull), comparison)) return false;
        string? folder = Path.GetDirectoryName(full), otherFolder = Path.GetDirectoryName(otherFull);
        if (folder is null || otherFolder is null) return string.Equals(full, otherFull, comparison);
        return FileStatus.SameFile(folder, otherFolder) || string.Equals(folder, otherFolder, comparison);
    }

    /// <summary>Throws <see cref="OutputPathException"/> unless <paramref name="folder"/>, given by
    /// <paramref name="option"/>, is a folder or does not exist yet (it is where <paramref name="what"/> go).</summary>
    public static void CheckFolder(string folder, string option, string what)
    {
        if (string.IsNullOrWhiteSpace(folder))
            throw new OutputPathException($"{option} is empty: give the folder for {what}");
        var kind = FileStatus.OfTarget(folder).Kind;
        if (kind is not (FileKind.Missing or FileKind.Directory))
            throw new OutputPathException($"{option} '{folder}' is " + (kind == FileKind.RegularFile
                ? "an existing regular file" : $"a {kind}") + $", not a folder: give the folder to write {what} into");
    }

    /// <summary>Throws <see cref="OutputPathException"/> unless nothing or a regular file is at
    /// <paramref name="output"/>; returns its full path, the one a writer writes (a/../x is x even when a does not
    /// exist).</summary>
    public static string CheckKind(string output)
    {
        if (string.IsNullOrWhiteSpace(output)) throw new OutputPathException("The output path is empty");
        if (output.EndsWith(Path.DirectorySeparatorChar) || output.EndsWith(Path.AltDirectorySeparatorChar))
            throw new OutputPathException($"Output '{output}' names a folder, not a file: give a file name");
        string full;
        try { full = Path.GetFullPath(output); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        { throw new OutputPathException($"Output '{output}' is not a valid path: {e.Message}", e); }
        var status = FileStatus.OfEntry(full);
        string? problem = status.Kind switch
        {
            FileKind.Missing or FileKind.RegularFile => null,
            FileKind.SymbolicLink => $"is a symbolic link (to '{LinkTarget(full)}'); outputs are never written " +
                                     "through or over a link: give the real path or remove the link",
            FileKind.Directory => "is a directory, not a file: give a file name",
            FileKind.CharacterDevice => "is a character device, not a regular file; it is never replaced",
            FileKind.BlockDevice => "is a block device, not a regular file; it is never replaced",
            FileKind.Fifo => "is a FIFO (named pipe), not a regular file; it is never replaced",
            FileKind.Socket => "is a socket, not a regular file; it is never replaced",
            _ => "is not a regular file; it is never replaced",
        };
        if (problem is not null) throw new OutputPathException($"Output '{output}' {problem}");
        return full;
    }

    static string LinkTarget(string path)
    {
        try { return new FileInfo(path).LinkTarget ?? "?"; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "?"; }
    }
}
