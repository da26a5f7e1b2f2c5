namespace ClipSharp.ZeroShot;

/// <summary>Class names and the prompt templates that turn each into texts ("a photo of a {}." → "a photo of a cat.").
/// The default template "{}" uses the class name as it is, as the tutorial does.</summary>
public sealed record PromptSet(IReadOnlyList<string> Classes, IReadOnlyList<string> Templates)
{
    public const string Placeholder = "{}";

    public PromptSet(IReadOnlyList<string> classes) : this(classes, [Placeholder]) { }

    public static PromptSet Create(IReadOnlyList<string> classes, IReadOnlyList<string>? templates = null)
    {
        if (classes.Count < 2) throw new ArgumentException($"Zero-shot classification needs at least two classes; got {classes.Count}");
        var duplicate = classes.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Class '{duplicate.Key}' is given twice");
        templates = templates is { Count: > 0 } ? templates : [Placeholder];
        var bad = templates.FirstOrDefault(t => !t.Contains(Placeholder));
        if (bad is not null) throw new ArgumentException($"Template \"{bad}\" has no {Placeholder} where the class name goes");
        return new PromptSet(classes, templates);
    }

    /// <summary>The texts of one class, one per template.</summary>
    public IReadOnlyList<string> TextsOf(string className) => [.. Templates.Select(t => t.Replace(Placeholder, className))];

    /// <summary>Templates from a file: one a line, blank lines and lines starting with '#' ignored.</summary>
    public static IReadOnlyList<string> ReadTemplates(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Prompt file '{path}' not found", path);
        var lines = File.ReadAllLines(path).Select((l, i) => (Text: l.Trim(), Line: i + 1)).Where(l => l.Text.Length > 0 && !l.Text.StartsWith('#')).ToList();
        var bad = lines.FirstOrDefault(l => !l.Text.Contains(Placeholder));
        if (bad.Text is not null) throw new ArgumentException($"{path}:{bad.Line}: template \"{bad.Text}\" has no {Placeholder} where the class name goes");
        if (lines.Count == 0) throw new ArgumentException($"Prompt file '{path}' has no templates");
        return [.. lines.Select(l => l.Text)];
    }

    public override string ToString() => Templates.Count == 1 && Templates[0] == Placeholder
        ? string.Join(" | ", Classes)
        : $"{string.Join(" | ", Classes)} × {Templates.Count} template(s)";
}
