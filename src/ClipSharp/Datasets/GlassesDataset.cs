using System.Text;
using System.Text.RegularExpressions;
using ClipSharp.Evaluation;
using ClipSharp.Settings;

namespace ClipSharp.Datasets;

/// <summary>
/// The Kaggle "Glasses or No Glasses" set (jeffheaton/glasses-or-no-glasses) as <c>clip evaluate</c> reads it:
/// <c>train.csv</c> (columns id, v1 … v512, glasses) beside <c>face-&lt;id&gt;.png</c>; <c>test.csv</c> comes along
/// when the archive has it. The archive nests the faces in folders (<c>faces-spring-2020/…</c>); they are flattened.
/// </summary>
public static partial class GlassesDataset
{
    public const string Slug = "jeffheaton/glasses-or-no-glasses";
    public const string ArchiveName = "glasses-or-no-glasses.zip";
    public static readonly Uri KaggleUrl = new($"https://www.kaggle.com/api/v1/datasets/download/{Slug}");

    /// <summary>The set is about 5,000 1024×1024 PNG faces; no SHA-256 or exact size is published, so the archive
    /// is capped generously, and so is what it unpacks to.</summary>
    public const long MaxArchiveBytes = 16L << 30, MaxUnpackedBytes = 24L << 30;
    public const int MaxEntries = 20_000;
    const long MaxImageBytes = 64L << 20, MaxCsvBytes = 256L << 20;

    /// <summary>How many of the first rows must have their image: the tutorial evaluates the first 100.</summary>
    public const int RequiredImages = 100;
    const int MaxHeaderChars = 64 * 1024, MaxIdChars = 32, MaxLineChars = 1 << 20;

    public static string DefaultDirectory => Path.Combine(ClipSettings.Current.DataDirectory, "glasses");

    /// <summary>The archive at a mirror: the mirror URL itself when it names a .zip, else
    /// <c>&lt;mirror&gt;/glasses-or-no-glasses.zip</c>.</summary>
    public static Uri ArchiveUrl(string? mirror) =>
        mirror is null ? KaggleUrl
        : mirror.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) ? new Uri(mirror)
        : new Uri($"{mirror.TrimEnd('/')}/{ArchiveName}");

    /// <summary>The size cap of a wanted file of the archive, by its (flattened) name; null for anything
    /// else.</summary>
    public static long? MaxBytesOf(string fileName) =>
        fileName is "train.csv" or "test.csv" ? MaxCsvBytes : FaceName().IsMatch(fileName) ? MaxImageBytes : null;

    /// <summary>Why <paramref name="directory"/> must not be replaced by a fresh copy of the set, or null when it may:
    /// it is empty, or it holds train.csv and nothing but the set's regular files (train.csv, test.csv,
    /// face-&lt;id&gt;.png). Anything else may be someone's work, so it is never deleted for them.</summary>
    public static string? WhyNotReplaceable(string directory)
    {
        bool any = false, hasTrain = false;
        foreach (string entry in Directory.EnumerateFileSystemEntries(directory))
        {
            any = true;
            string name = Path.GetFileName(entry);
            if (MaxBytesOf(name) is null || FileStatus.OfEntry(entry).Kind != FileKind.RegularFile)
                return $"it holds '{name}', which is not a file of the set";
            hasTrain |= name == "train.csv";
        }
        return !any || hasTrain ? null : "it has no train.csv";
    }

    [GeneratedRegex(@"^face-[0-9]{1,9}\.png$")]
    private static partial Regex FaceName();

    /// <summary>Checks a folder holds the set: train.csv with exactly the columns id, v1 … v512, glasses, a numeric
    /// id on every row, and the image of each of the first <see cref="RequiredImages"/> rows (a later missing image is
    /// only counted: <c>evaluate --skip-missing</c> copes with it).</summary>
    public static GlassesSummary Verify(string directory)
    {
        string csv = Path.Combine(directory, "train.csv");
        if (!File.Exists(csv)) throw new DataSetException($"'{directory}' has no train.csv");
        using var reader = new StreamReader(csv, Encoding.UTF8);
        string header = ReadLine(reader, MaxHeaderChars, csv, 1) ?? throw new DataSetException($"'{csv}' is empty");
        var columns = header.TrimStart('\uFEFF').Split(',').Select(c => c.Trim().Trim('"')).ToArray();
        var expected = new[] { "id" }.Concat(Enumerable.Range(1, 512).Select(i => $"v{i}")).Append("glasses");
        if (!columns.SequenceEqual(expected))
            throw new DataSetException($"'{csv}' has the columns {Describe(columns)}; expected id, v1 … v512, " +
                "glasses (the Kaggle train.csv)");
        int rows = 0, missing = 0;
        string? firstMissing = null;
        for (int line = 2; ReadId(reader, csv, line) is { } id; line++)
        {
            rows++;
            if (File.Exists(Path.Combine(directory, $"face-{id}.png"))) continue;
            if (rows <= RequiredImages)
                throw new DataSetException($"'{csv}' line {line}: the image face-{id}.png of row {rows} is not in " +
                    $"'{directory}' (the first {RequiredImages} rows must have theirs)");
            missing++;
            firstMissing ??= $"face-{id}.png";
        }
        if (rows == 0) throw new DataSetException($"'{csv}' has a header but no rows");
        return new GlassesSummary(directory, rows, missing, firstMissing);
    }

    static string Describe(string[] columns) =>
        columns.Length <= 6 ? string.Join(", ", columns)
        : $"{string.Join(", ", columns.Take(3))} … {string.Join(", ", columns[^2..])} ({columns.Length} in all)";

    /// <summary>The id of the next row (its first field, digits only) with the rest of the line skipped; null at the
    /// end. Bounded: a line may not pass <see cref="MaxLineChars"/>.</summary>
    static string? ReadId(StreamReader reader, string csv, int line)
    {
        var id = new StringBuilder();
        int c, length = 0; // characters after the id
        while ((c = reader.Read()) >= 0 && c != ',' && c != '\n')
        {
            if (c == '\r') continue;
            if (id.Length == MaxIdChars || !char.IsAsciiDigit((char)c))
                throw new DataSetException(
                    $"'{csv}' line {line}: the id is not a number of at most {MaxIdChars} digits");
            id.Append((char)c);
        }
        if (c < 0 && id.Length == 0) return null;
        if (id.Length == 0) throw new DataSetException($"'{csv}' line {line}: no id");
        if (c == ',')
            while ((c = reader.Read()) >= 0 && c != '\n')
                if (++length > MaxLineChars)
                    throw new DataSetException($"'{csv}' line {line} is longer than {MaxLineChars} characters");
        return id.ToString();
    }

    static string? ReadLine(StreamReader reader, int maxChars, string csv, int line)
    {
        var text = new StringBuilder();
        int c;
        while ((c = reader.Read()) >= 0 && c != '\n')
        {
            if (text.Length == maxChars)
                throw new DataSetException($"'{csv}' line {line} is longer than {maxChars} characters");
            if (c != '\r') text.Append((char)c);
        }
        return c < 0 && text.Length == 0 ? null : text.ToString();
    }
}
