using ClipSharp.Settings;
namespace ClipSharp.Tests.Style;

/// <summary><c>.editorconfig</c>'s <c>max_line_length = 120</c>, checked: the compiler does not enforce it.</summary>
[Trait("Category", "Style")]
public class LineLengthTests
{
    const int MaxLineLength = 120;

    /// <summary>The folders already held to the limit. The whole-tree test below replaces this one once every
    /// folder is.</summary>
    public static TheoryData<string> CleanFolders => new()
    {
        "build", "src/ClipSharp.Notebooks", "src/ClipSharp.Cli", "src/ClipSharp/Analyses", "src/ClipSharp/Datasets",
        "src/ClipSharp/Downloads", "src/ClipSharp/Evaluation", "src/ClipSharp/Settings", "src/ClipSharp/Text",
        "src/ClipSharp/ZeroShot", "tests",
    };

    [Theory]
    [MemberData(nameof(CleanFolders))]
    public void No_line_in_a_clean_folder_is_over_120_characters(string folder) =>
        AssertNoLongLines(Path.Combine(ClipSettings.Current.Root, folder));

    [Fact]
    public void No_line_in_src_or_tests_is_over_120_characters()
    {
        AssertNoLongLines(Path.Combine(ClipSettings.Current.Root, "src"));
        AssertNoLongLines(Path.Combine(ClipSettings.Current.Root, "tests"));
    }

    static void AssertNoLongLines(string folder)
    {
        Assert.True(Directory.Exists(folder), $"{folder} is missing");
        var longLines = LongLines(folder).ToList();
        Assert.True(longLines.Count == 0,
            $"{longLines.Count} lines over {MaxLineLength} characters:\n{string.Join("\n", longLines.Take(50))}");
    }

    /// <summary>"file:line: length" of each line over the limit in the C# sources under <paramref name="folder"/>
    /// (build output excluded). Length counts UTF-16 characters, as editors count columns for this code.</summary>
    static IEnumerable<string> LongLines(string folder) =>
        from file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
        let relative = Path.GetRelativePath(ClipSettings.Current.Root, file)
        where !relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")
        from line in File.ReadLines(file).Select((text, index) => (text, number: index + 1))
        where line.text.TrimEnd('\r').Length > MaxLineLength
        orderby relative, line.number
        select $"{relative}:{line.number}: {line.text.Length}";
}
