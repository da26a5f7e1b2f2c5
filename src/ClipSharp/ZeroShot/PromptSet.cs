using ClipSharp.Text;

namespace ClipSharp.ZeroShot;

/// <summary>Class names and the prompt templates that turn each into texts
/// ("a photo of a {}." → "a photo of a cat."). The default template "{}" uses the class name as it is, as the
/// tutorial does.</summary>
public sealed record PromptSet(IReadOnlyList<string> Classes, IReadOnlyList<string> Templates)
{
    public const string Placeholder = "{}";

    public PromptSet(IReadOnlyList<string> classes) : this(classes, [Placeholder]) { }

    /// <summary>A checked prompt set (see <see cref="Check"/>); no templates means the default "{}".</summary>
    public static PromptSet Create(IReadOnlyList<string> classes, IReadOnlyList<string>? templates = null)
    {
        var set = new PromptSet(classes, templates is { Count: > 0 } ? templates : [Placeholder]);
        set.Check();
        return set;
    }

    /// <summary>Refuses a set that would make a meaningless classifier: fewer than two classes, a template without
    /// {}, a blank class, a prompt too long to tokenize, or two prompts the tokenizer cannot tell apart (the same
    /// words after its cleaning: "Glasses" and "glasses", "" and " "). Two classes with the same prompt would score
    /// the same on every image; one class with the same prompt twice would count it twice in the ensemble.</summary>
    public void Check()
    {
        if (Classes.Count < 2)
            throw new PromptException($"Zero-shot classification needs at least two classes; got {Classes.Count}");
        if (Templates.Count == 0)
            throw new PromptException($"A prompt set needs at least one template, e.g. \"{Placeholder}\"");
        var duplicate = Classes.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new PromptException($"Class '{duplicate.Key}' is given twice");
        var bad = Templates.FirstOrDefault(t => !t.Contains(Placeholder));
        if (bad is not null)
            throw new PromptException($"Template \"{bad}\" has no {Placeholder} where the class name goes");

        var seen = new Dictionary<string, (string Class, string Template)>();
        foreach (var className in Classes)
        {
            if (Words(Prompt(Placeholder, className)).Length == 0)
                throw new PromptException($"Class '{className}' is blank once cleaned; give every class a name");
            foreach (var template in Templates)
            {
                string words = Words(Prompt(template, className));
                if (!seen.TryAdd(words, (className, template)))
                    throw Indistinct(seen[words], (className, template), words);
            }
        }
    }

    /// <summary>The texts of one class, one per template.</summary>
    public IReadOnlyList<string> TextsOf(string className) => [.. Templates.Select(t => Prompt(t, className))];

    /// <summary>Templates from a file: one a line, blank lines and lines starting with '#' ignored. The file must be
    /// UTF-8 and of bounded size; errors name the file and line.</summary>
    public static IReadOnlyList<string> ReadTemplates(string path)
    {
        var lines = TextFile.ReadLines(path, "Prompt file")
            .Select(l => (Text: l.Text.Trim(), l.Line))
            .Where(l => l.Text.Length > 0 && !l.Text.StartsWith('#')).ToList();
        var bad = lines.FirstOrDefault(l => !l.Text.Contains(Placeholder));
        if (bad.Text is not null)
            throw new PromptException($"{path}:{bad.Line}: template \"{ClipTokenizer.Shorten(bad.Text)}\" " +
                $"has no {Placeholder} where the class name goes");
        if (lines.Count == 0) throw new PromptException($"Prompt file '{path}' has no templates");
        return [.. lines.Select(l => l.Text)];
    }

    public override string ToString() => Templates.Count == 1 && Templates[0] == Placeholder
        ? string.Join(" | ", Classes)
        : $"{string.Join(" | ", Classes)} × {Templates.Count} template(s)";

    // The prompt's length is known before it is built, so many {} times a long name cannot blow up memory.
    static string Prompt(string template, string className)
    {
        long placeholders = (template.Length - template.Replace(Placeholder, "").Length) / Placeholder.Length;
        long length = template.Length + placeholders * (className.Length - Placeholder.Length);
        if (length > ClipTokenizer.MaxTextLength)
            throw new PromptException($"Template \"{ClipTokenizer.Shorten(template)}\" " +
                $"with class '{ClipTokenizer.Shorten(className)}' makes a prompt of {length:N0} characters; " +
                $"the limit is {ClipTokenizer.MaxTextLength:N0}");
        return template.Replace(Placeholder, className);
    }

    // What the tokenizer sees: the cleaned text's pieces (BPE maps distinct piece lists to distinct ids).
    static string Words(string text) => string.Join(' ', PreTokenizer.Split(TextCleaner.Clean(text)));

    static PromptException Indistinct(
        (string Class, string Template) first, (string Class, string Template) second, string words)
    {
        string Quote(string s) => ClipTokenizer.Shorten(s);
        if (first.Class == second.Class)
            return new PromptException(
                $"Templates \"{Quote(first.Template)}\" and \"{Quote(second.Template)}\" give the same prompt " +
                $"\"{Quote(words)}\" for class '{Quote(first.Class)}' after cleaning (the tokenizer lowercases and " +
                "normalises text); drop one, or it counts twice in the ensemble");
        string how = first.Template == second.Template
            ? first.Template == Placeholder ? "" : $" with template \"{Quote(first.Template)}\""
            : $" with templates \"{Quote(first.Template)}\" and \"{Quote(second.Template)}\"";
        return new PromptException(
            $"Classes '{Quote(first.Class)}' and '{Quote(second.Class)}'{how} give the same prompt " +
            $"\"{Quote(words)}\" after cleaning (the tokenizer lowercases and normalises text), " +
            "so no image could tell them apart; rename one");
    }
}
