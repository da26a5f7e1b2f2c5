namespace ClipSharp;

/// <summary>Where the workspace keeps its folders: the directory holding ClipNotebooks.sln above the current
/// directory (so notebooks and the CLI agree), else the current directory.</summary>
public static class WorkspacePaths
{
    public static string Root { get; } = FindRoot();

    /// <summary><c>CLIP_WEIGHTS</c>, else <c>weights/</c> of the workspace.</summary>
    public static string WeightsDirectory =>
        Environment.GetEnvironmentVariable("CLIP_WEIGHTS") is { Length: > 0 } w ? w : Path.Combine(Root, "weights");

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ClipNotebooks.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
