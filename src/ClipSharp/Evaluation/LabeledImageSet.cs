using ClipSharp.Imaging;
using CsvHelper;

namespace ClipSharp.Evaluation;

/// <summary>
/// Labelled images as users have them: a CSV with a header whose image column is <c>file</c> (a path under the data
/// folder) or <c>id</c> with a file pattern (the Kaggle layout: <c>face-{id}.png</c>), and a label column holding a
/// class index (digits only; 0 = first class) or a class name; or a folder per class. "First N" is the CSV's file
/// order; in class folders N is taken round-robin across the classes. Every image must be a regular file (no FIFO,
/// device or directory) of at most <see cref="ImageLoader.MaxFileBytes"/> bytes; every error is a
/// <see cref="DataSetException"/> naming the labels file and line, or the folder and file.
/// </summary>
public sealed class LabeledImageSet
{
    public const string DefaultPattern = "face-{id}.png";

    /// <summary>The longest labels-file line (record) read, in bytes: a Kaggle row of 512 features is ~6 KB.</summary>
    public const int DefaultMaxLineBytes = 1 << 20;

    public IReadOnlyList<string> Classes { get; }
    public IReadOnlyList<LabeledImage> Images { get; }
    /// <summary>Rows left out with <c>skipMissing</c>, each with the reason.</summary>
    public IReadOnlyList<string> Skipped { get; }
    public string Source { get; }

    LabeledImageSet(IReadOnlyList<string> classes, IReadOnlyList<LabeledImage> images, IReadOnlyList<string> skipped,
        string source) => (Classes, Images, Skipped, Source) = (classes, images, skipped, source);

    /// <summary>Reads <paramref name="labelsFile"/>, else DIR/labels.csv, else DIR/train.csv, else class folders.
    /// <paramref name="limit"/>: the first N rows of a labels file, or N images round-robin across class folders.
    /// </summary>
    public static LabeledImageSet Load(string dataDirectory, IReadOnlyList<string> classes, string? labelsFile = null,
        string? labelColumn = null, string pattern = DefaultPattern, int? limit = null, bool skipMissing = false,
        int maxLineBytes = DefaultMaxLineBytes)
    {
        if (!Directory.Exists(dataDirectory)) throw new DataSetException($"Data folder '{dataDirectory}' not found");
        if (classes.Count == 0) throw new DataSetException($"No classes given for the data in '{dataDirectory}'");
        labelsFile ??= new[] { "labels.csv", "train.csv" }.Select(f => Path.Combine(dataDirectory, f))
            .FirstOrDefault(File.Exists);
        if (labelsFile is null) return FromFolders(dataDirectory, classes, limit);
        if (RegularFile.Problem(labelsFile, long.MaxValue) is { } problem)
            throw new DataSetException($"Labels file '{labelsFile}' {problem}");
        var reader = new LabelsCsv(dataDirectory, classes, labelsFile, labelColumn, pattern, skipMissing, maxLineBytes);
        var (images, skipped) = reader.Read(limit);
        return new LabeledImageSet(classes, images, skipped, labelsFile);
    }

    /// <summary>One folder per class, named as the class; files in name order; <paramref name="limit"/> images taken
    /// round-robin (the first of each class, then the second of each, …) and kept in class order.</summary>
    static LabeledImageSet FromFolders(string dir, IReadOnlyList<string> classes, int? limit)
    {
        var perClass = new List<string[]>();
        for (int c = 0; c < classes.Count; c++)
        {
            string folder = Path.Combine(dir, classes[c]);
            if (!Directory.Exists(folder))
                throw new DataSetException($"Data folder '{dir}' has no labels.csv or train.csv, and no folder " +
                    $"'{classes[c]}' for class {c}: give --labels, or one folder per class");
            perClass.Add([.. Directory.GetFiles(folder).Where(IsImage).Order(StringComparer.Ordinal)]);
        }
        var taken = RoundRobin(perClass.Select(f => f.Length).ToArray(), limit ?? int.MaxValue);
        var images = new List<LabeledImage>();
        for (int c = 0; c < classes.Count; c++)
            foreach (var path in perClass[c].Take(taken[c]))
            {
                if (ImageLoader.FileProblem(path) is { } problem)
                    throw new DataSetException($"Data folder '{dir}', class '{classes[c]}': {problem}");
                images.Add(new LabeledImage(path, c));
            }
        return new LabeledImageSet(classes, images, [], dir);
    }

    /// <summary>How many of each class's <paramref name="available"/> items a round-robin take of
    /// <paramref name="limit"/> gets: one from each class in turn, skipping classes that have run out.</summary>
    internal static int[] RoundRobin(int[] available, int limit)
    {
        var taken = new int[available.Length];
        long left = Math.Min(Math.Max(limit, 0), available.Sum(a => (long)a));
        while (left > 0)
            for (int c = 0; c < available.Length && left > 0; c++)
                if (taken[c] < available[c]) { taken[c]++; left--; }
        return taken;
    }

    static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"];
    static bool IsImage(string p) => ImageExtensions.Contains(Path.GetExtension(p).ToLowerInvariant());
}
