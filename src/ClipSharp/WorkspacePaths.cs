namespace ClipSharp;

/// <summary>Where the workspace keeps its folders: the directory holding ClipNotebooks.sln above the current
/// directory (so notebooks and the CLI agree), else the current directory.</summary>
public static class WorkspacePaths
{
    public static string Root { get; } = FindRoot();

    public const string WeightsVariable = "CLIP_WEIGHTS";

    /// <summary><c>CLIP_WEIGHTS</c>, else <c>weights/</c> of the workspace. A <c>CLIP_WEIGHTS</c> that is (or lies
    /// under) a file is an error naming the variable.</summary>
    public static string WeightsDirectory =>
        Environment.GetEnvironmentVariable(WeightsVariable) is { Length: > 0 } w ? CheckedFolder(w, WeightsVariable)
        : Path.Combine(Root, "weights");

    /// <summary><paramref name="path"/> when it is a folder or could become one (its nearest existing ancestor is a
    /// folder).</summary>
    static string CheckedFolder(string path, string variable)
    {
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        { throw new ClipSharpException($"{variable}='{path}' is not a usable path: {e.Message}", e); }
        for (string? dir = full; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (Directory.Exists(dir)) return path;
            if (File.Exists(dir))
                throw new ClipSharpException($"{variable}='{path}' is not a folder: '{dir}' is a file. Point " +
                    $"{variable} at the folder for the weights, or unset it to use weights/ of the workspace.");
        }
        return path;
    }

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ClipNotebooks.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
