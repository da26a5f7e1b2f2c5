using System.Globalization;
using ClipSharp.Imaging;
using CsvHelper;

namespace ClipSharp.Evaluation;

/// <summary>
/// Reads a labels CSV into labelled images, row by row and bounded: a line longer than the limit, a used column named
/// twice or not at all, a bad row, an unknown label (a class index is digits only), a duplicate image (compared by full
/// path, so <c>a.png</c> and <c>./a.png</c> are one) or an image that is no regular file is a
/// <see cref="DataSetException"/> naming the file and line.
/// </summary>
sealed class LabelsCsv(string dir, IReadOnlyList<string> classes, string csv, string? labelColumn, string pattern,
    bool skipMissing, int maxLineBytes)
{
    const int MaxShown = 60; // characters of a value quoted in a message

    public (List<LabeledImage> Images, List<string> Skipped) Read(int? limit)
    {
        int line = 1; // the line of the record being read, for errors that come from the reader itself
        try
        {
            // The limit is checked only when the buffer must grow: a buffer no larger than it makes it exact enough.
            var options = new CsvReaderOptions
            {
                TrackLineNumbers = true,
                MaxRecordSize = maxLineBytes,
                BufferSize = Math.Clamp(maxLineBytes, 1024, 64 << 10),
            };
            using var reader = CsvReader.FromFile(csv, options);
            reader.ReadHeader();
            var headers = reader.Headers;
            var columns = Columns(headers, $"{csv}:{Math.Max(reader.LineNumber, 1)}");
            var images = new List<LabeledImage>();
            var skipped = new List<string>();
            var seen = new Dictionary<string, (string Key, string Origin)>(StringComparer.Ordinal);
            for (int rows = 0; (limit is null || rows < limit) && reader.Read(); rows++)
            {
                line = (int)reader.LineNumber;
                if (Row(reader, columns, $"{csv}:{line}", seen, skipped) is { } image) images.Add(image);
                line++;
            }
            return (images, skipped);
        }
        catch (Exception e) when (e is not ClipSharpException)
        {
            string bound = e is CsvFormatException ? $" (a line may have at most {maxLineBytes:N0} bytes)" : "";
            throw new DataSetException(
                $"Labels file '{csv}' cannot be read at line {line} or after{bound}: {e.Message}", e);
        }
    }

    sealed record Layout(int File, int Id, int Label);

    Layout Columns(IReadOnlyList<string> headers, string origin)
    {
        if (headers.Count == 0) throw new DataSetException($"Labels file '{csv}' is empty");
        string names = string.Join(", ", headers.Take(8).Select(Shown)) + (headers.Count > 8 ? ", …" : "");
        int file = IndexOf(headers, "file"), id = IndexOf(headers, "id");
        if (file < 0 && id < 0)
            throw new DataSetException(
                $"Labels file '{csv}' has neither a 'file' nor an 'id' column (columns: {names})");
        if (file < 0 && !pattern.Contains("{id}"))
            throw new DataSetException($"Labels file '{csv}' has ids, but the file pattern '{pattern}' has no {{id}}");
        if (labelColumn is not null && labelColumn.Trim().Length == 0)
            throw new DataSetException($"Labels file '{csv}': the label column name is empty");
        int label = labelColumn is null ? headers.Count - 1 : IndexOf(headers, labelColumn);
        if (label < 0)
            throw new DataSetException($"Labels file '{csv}' has no column '{labelColumn}' (columns: {names})");
        if (headers[label].Trim().Length == 0)
            throw new DataSetException($"{origin}: the label column (column {label + 1}) has no name");
        // Columns are found by name, so a used name that appears twice would pick one of them silently.
        foreach (int used in new[] { file, id, label }.Where(c => c >= 0).Distinct())
        {
            var same = Enumerable.Range(0, headers.Count).Where(c => SameName(headers[c], headers[used])).ToList();
            if (same.Count > 1)
                throw new DataSetException($"{origin}: duplicate column '{Shown(headers[same[0]].Trim())}' " +
                    $"(columns {string.Join(", ", same.Select(c => c + 1))})");
        }
        return new Layout(file, id, label);
    }

    LabeledImage? Row(CsvReader reader, Layout columns, string origin,
        Dictionary<string, (string Key, string Origin)> seen, List<string> skipped)
    {
        string kind = columns.File >= 0 ? "file" : "id";
        string key = reader.GetString(columns.File >= 0 ? columns.File : columns.Id).Trim();
        if (key.Length == 0) throw new DataSetException($"{origin}: no {kind}");
        string file = columns.File >= 0 ? key : pattern.Replace("{id}", key);
        string path = Path.Combine(dir, file), full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        { throw new DataSetException($"{origin}: {kind} '{Shown(key)}' is no valid path ({e.Message})", e); }
        if (seen.TryGetValue(full, out var first))
            throw new DataSetException(first.Key == key
                ? $"{origin}: duplicate {kind} '{Shown(key)}' (first at {first.Origin})"
                : $"{origin}: {kind} '{Shown(key)}' is the same image as '{Shown(first.Key)}' " +
                  $"(first at {first.Origin})");
        seen[full] = (key, origin);
        int label = ParseLabel(reader.GetString(columns.Label).Trim(), $"{origin} ({Shown(file)})");
        switch (ImageLoader.FileProblem(path))
        {
            case null: return new LabeledImage(path, label);
            case var problem when File.Exists(path) || Directory.Exists(path):
                throw new DataSetException($"{origin}: {problem}");
            default:
                string why = $"{origin}: image '{path}' not found";
                if (!skipMissing) throw new DataSetException($"{why} (use --skip-missing to leave such rows out)");
                skipped.Add(why);
                return null;
        }
    }

    static int IndexOf(IReadOnlyList<string> headers, string name)
    {
        for (int i = 0; i < headers.Count; i++)
            if (SameName(headers[i], name)) return i;
        return -1;
    }

    static bool SameName(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>A class index (digits only: 0 = first class) or a class name (case-insensitive). Anything else that
    /// reads as a number ("1.0", "+1", "1e0", "0.9999999999999999999") is refused, not rounded into a class.</summary>
    int ParseLabel(string value, string where)
    {
        if (value.Length > 0 && value.All(char.IsAsciiDigit)
            && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && index < classes.Count) return index;
        for (int i = 0; i < classes.Count; i++)
            if (string.Equals(classes[i], value, StringComparison.OrdinalIgnoreCase)) return i;
        bool numberLike = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            && !value.All(char.IsAsciiDigit);
        throw new DataSetException(
            $"{where}: label '{Shown(value)}' is neither a class index 0–{classes.Count - 1} " +
            $"nor a class name ({string.Join(", ", classes)})" +
            (numberLike ? "; a class index is written with digits only" : ""));
    }

    static string Shown(string value) => value.Length <= MaxShown ? value : value[..MaxShown] + "…";
}
