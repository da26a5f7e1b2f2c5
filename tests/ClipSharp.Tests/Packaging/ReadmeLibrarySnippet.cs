using System.Text.RegularExpressions;

namespace ClipSharp.Tests.Packaging;

/// <summary>The C# block under the README's "## The library", made runnable on the reference data: its model name
/// and image file are replaced by the tiny reference model and a reference face, and lines that print the logits
/// are appended. Taken from the README itself so that the README's snippet stays true.</summary>
public static class ReadmeLibrarySnippet
{
    public const string ModelInReadme = "\"RN50\"";
    public const string ImageInReadme = "\"face-1.png\"";

    public static string Code(string readmePath)
    {
        string readme = File.ReadAllText(readmePath);
        var block = Regex.Match(readme, @"^## The library\s*?\n.*?^```csharp\n(?<code>.*?)^```",
            RegexOptions.Singleline | RegexOptions.Multiline);
        if (!block.Success)
            throw new InvalidOperationException($"{readmePath}: no ```csharp block under '## The library'");
        return block.Groups["code"].Value;
    }

    /// <summary>A console program (top-level statements) that runs the snippet and prints the logits' shape and
    /// values, one line each.</summary>
    public static string Program(string readmePath, string modelPath, string imagePath)
    {
        string code = Code(readmePath);
        foreach (var placeholder in new[] { ModelInReadme, ImageInReadme })
            if (!code.Contains(placeholder, StringComparison.Ordinal))
                throw new InvalidOperationException($"{readmePath}: the library snippet no longer names {placeholder}; "
                    + "update this test's substitutions with the README");
        code = code.Replace(ModelInReadme, Literal(modelPath), StringComparison.Ordinal)
            .Replace(ImageInReadme, Literal(imagePath), StringComparison.Ordinal);
        return code + """

            var invariant = System.Globalization.CultureInfo.InvariantCulture;
            Console.WriteLine("shape " + string.Join("x", logits.shape));
            Console.WriteLine("logits " + string.Join(" ", logits.cpu().to(TorchSharp.torch.float32).data<float>()
                .ToArray().Select(v => v.ToString("R", invariant))));
            """;
    }

    static string Literal(string text) => "@\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
