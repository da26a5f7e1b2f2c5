namespace ClipSharp.Notebooks;

/// <summary>Axis labels that fit: long names cut in the middle (file names differ at both ends), long phrases
/// wrapped.</summary>
public static class ChartLabels
{
    /// <summary>Each label cut to at most <paramref name="max"/> characters as <c>start…end</c>; longer where that is
    /// needed to keep two different labels apart.</summary>
    public static IReadOnlyList<string> Shorten(IReadOnlyList<string> labels, int max = 22)
    {
        for (int length = Math.Max(5, max); ; length += 4)
        {
            var shortened = labels.Select(l => Cut(l, length)).ToList();
            if (shortened.Distinct().Count() == labels.Distinct().Count()
                || labels.All(l => l.Length <= length)) return shortened;
        }
    }

    /// <summary>Phrases (with spaces) wrapped, single long words (file names) shortened as <see cref="Shorten"/>
    /// does.</summary>
    public static IReadOnlyList<string> Fit(IReadOnlyList<string> labels, int max = 22)
    {
        var words = labels.Where(l => !l.Contains(' ')).Distinct().ToList();
        var shortened = words.Zip(Shorten(words, max)).ToDictionary(p => p.First, p => p.Second);
        return [.. labels.Select(l => shortened.TryGetValue(l, out var s) ? s : Wrap(l, max))];
    }

    /// <summary>Words joined into lines of about <paramref name="width"/> characters with plotly's
    /// &lt;br&gt;.</summary>
    public static string Wrap(string label, int width = 16)
    {
        var lines = new List<string>();
        string line = "";
        foreach (var word in label.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width) { lines.Add(line); line = word; }
            else line = line.Length == 0 ? word : line + " " + word;
        }
        lines.Add(line);
        return string.Join("<br>", lines);
    }

    static string Cut(string label, int max)
    {
        if (label.Length <= max) return label;
        int tail = (max - 1) / 2, head = max - 1 - tail;
        return label[..head] + "…" + label[^tail..];
    }
}
