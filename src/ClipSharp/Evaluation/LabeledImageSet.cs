using CsvHelper;

namespace ClipSharp.Evaluation;

/// <summary>
/// Labelled images as users have them: a CSV with a header whose image column is <c>file</c> (a path under the data
/// folder) or <c>id</c> with a file pattern (the Kaggle layout: <c>face-{id}.png</c>), and a label column holding a
/// class index (0 = first class) or a class name; or a folder per class. "First N" is the CSV's file order.
/// </summary>
public sealed class LabeledImageSet
{
    public const string DefaultPattern = "face-{id}.png";

    public IReadOnlyList<string> Classes { get; }
    public IReadOnlyList<LabeledImage> Images { get; }
    /// <summary>Rows left out with <c>skipMissing</c>, each with the reason.</summary>
    public IReadOnlyList<string> Skipped { get; }
    public string Source { get; }

    LabeledImageSet(IReadOnlyList<string> classes, IReadOnlyList<LabeledImage> images, IReadOnlyList<string> skipped, string source) =>
        (Classes, Images, Skipped, Source) = (classes, images, skipped, source);

    /// <summary>Reads <paramref name="labelsFile"/>, else DIR/labels.csv, else DIR/train.csv, else class folders.</summary>
    public static LabeledImageSet Load(string dataDirectory, IReadOnlyList<string> classes, string? labelsFile = null, string? labelColumn = null,
        string pattern = DefaultPattern, int? limit = null, bool skipMissing = false)
    {
        if (!Directory.Exists(dataDirectory)) throw new DirectoryNotFoundException($"Data folder '{dataDirectory}' not found");
        labelsFile ??= new[] { "labels.csv", "train.csv" }.Select(f => Path.Combine(dataDirectory, f)).FirstOrDefault(File.Exists);
        if (labelsFile is not null) return FromCsv(dataDirectory, classes, labelsFile, labelColumn, pattern, limit, skipMissing);
        return FromFolders(dataDirectory, classes, limit);
    }

    static LabeledImageSet FromCsv(string dir, IReadOnlyList<string> classes, string csv, string? labelColumn, string pattern, int? limit, bool skipMissing)
    {
        if (!File.Exists(csv)) throw new FileNotFoundException($"Labels file '{csv}' not found", csv);
        using var reader = CsvReader.FromFile(csv, new CsvReaderOptions { TrackLineNumbers = true });
        reader.ReadHeader();
        var headers = reader.Headers;
        if (headers.Count == 0) throw new InvalidDataException($"Labels file '{csv}' is empty");
        int fileColumn = IndexOf(headers, "file"), idColumn = IndexOf(headers, "id");
        if (fileColumn < 0 && idColumn < 0)
            throw new InvalidDataException($"Labels file '{csv}' has neither a 'file' nor an 'id' column (columns: {string.Join(", ", headers.Take(8))}{(headers.Count > 8 ? ", …" : "")})");
        if (idColumn >= 0 && fileColumn < 0 && !pattern.Contains("{id}")) throw new ArgumentException($"File pattern '{pattern}' has no {{id}}");
        int label = labelColumn is null ? headers.Count - 1 : IndexOf(headers, labelColumn);
        if (label < 0) throw new InvalidDataException($"Labels file '{csv}' has no column '{labelColumn}' (columns: {string.Join(", ", headers.Take(8))}{(headers.Count > 8 ? ", …" : "")})");

        var images = new List<LabeledImage>();
        var skipped = new List<string>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        int rows = 0;
        while ((limit is null || rows < limit) && reader.Read())
        {
            rows++;
            string origin = $"{csv}:{reader.LineNumber}";
            string key = fileColumn >= 0 ? reader.GetString(fileColumn).Trim() : reader.GetString(idColumn).Trim();
            string file = fileColumn >= 0 ? key : pattern.Replace("{id}", key);
            if (key.Length == 0) throw new InvalidDataException($"{origin}: no {(fileColumn >= 0 ? "file" : "id")}");
            if (seen.TryGetValue(key, out var first))
                throw new InvalidDataException($"{origin}: duplicate {(fileColumn >= 0 ? "file" : "id")} '{key}' (first at {first})");
            seen[key] = origin;
            int classIndex = ParseLabel(reader.GetString(label).Trim(), classes, $"{origin} ({file})");
            string path = Path.Combine(dir, file);
            if (!File.Exists(path))
            {
                string why = $"{origin}: image '{path}' not found";
                if (!skipMissing) throw new FileNotFoundException($"{why} (use --skip-missing to leave such rows out)", path);
                skipped.Add(why);
                continue;
            }
            images.Add(new LabeledImage(path, classIndex, origin));
        }
        return new LabeledImageSet(classes, images, skipped, csv);
    }

    static LabeledImageSet FromFolders(string dir, IReadOnlyList<string> classes, int? limit)
    {
        var images = new List<LabeledImage>();
        for (int c = 0; c < classes.Count; c++)
        {
            string folder = Path.Combine(dir, classes[c]);
            if (!Directory.Exists(folder))
                throw new FileNotFoundException($"Data folder '{dir}' has no labels.csv or train.csv, and no folder '{classes[c]}' for class {c}: give --labels, or one folder per class");
            images.AddRange(Directory.GetFiles(folder).Where(IsImage).Order(StringComparer.Ordinal).Select(p => new LabeledImage(p, c, folder)));
        }
        if (limit is int n) images = images.Take(n).ToList();
        return new LabeledImageSet(classes, images, [], dir);
    }

    static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"];
    static bool IsImage(string p) => ImageExtensions.Contains(Path.GetExtension(p).ToLowerInvariant());

    static int IndexOf(IReadOnlyList<string> headers, string name)
    {
        for (int i = 0; i < headers.Count; i++) if (string.Equals(headers[i].Trim(), name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    /// <summary>A class index (0 = first class; "1.0" accepted) or a class name (case-insensitive).</summary>
    static int ParseLabel(string value, IReadOnlyList<string> classes, string where)
    {
        if (double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d)
            && d == Math.Floor(d) && d >= 0 && d < classes.Count) return (int)d;
        for (int i = 0; i < classes.Count; i++) if (string.Equals(classes[i], value, StringComparison.OrdinalIgnoreCase)) return i;
        throw new InvalidDataException($"{where}: label '{value}' is neither a class index 0–{classes.Count - 1} nor a class name ({string.Join(", ", classes)})");
    }
}
