namespace ClipSharp.Tests.Cli;

/// <summary>Inputs a hostile review found crashing or misleading the CLI: each now ends in one line
/// <c>error: …</c> and exit code 1.</summary>
public class HostileCliInputTests : TempFolderTest
{
    static void AssertOneError(CliRunner.Result run, string expected)
    {
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: {expected}", run.Error.Trim());
    }

    [Fact]
    public void A_pattern_that_would_backtrack_exponentially_is_answered_at_once()
    {
        string folder = Directory.CreateDirectory(Path.Combine(Dir, "redos")).FullName;
        for (int i = 0; i < 31; i++) File.WriteAllBytes(Path.Combine(folder, new string('a', 40) + $"{i}.png"), []);
        string pattern = Path.Combine(folder, "*a*a*a*a*a*a*a*a*a*a*a*a*b.png");
        AssertOneError(CliRunner.Run("preprocess", pattern, "-o", Path.Combine(Dir, "out.safetensors")),
            $"No image or folder matches '{pattern}'");
    }

    [Theory]
    [InlineData("[")]
    [InlineData("a[")]
    public void An_unclosed_bracket_is_no_match_rather_than_a_crash(string segment)
    {
        string pattern = Path.Combine(Dir, segment);
        AssertOneError(CliRunner.Run("classify", pattern), $"No image or folder matches '{pattern}'");
    }

    [Fact]
    public void An_empty_set_in_a_pattern_is_named()
    {
        File.WriteAllBytes(Path.Combine(Dir, "x.png"), []);
        AssertOneError(CliRunner.Run("classify", Path.Combine(Dir, "[!]x")),
            "The pattern part '[!]x' is not a valid glob (a [set] must hold a character)");
    }

    [Theory]
    [InlineData("classify")]
    [InlineData("preprocess")]
    [InlineData("saliency")]
    public void A_folder_without_images_is_refused_and_nothing_is_written(string verb)
    {
        string empty = Directory.CreateDirectory(Path.Combine(Dir, "empty")).FullName;
        string output = Path.Combine(Dir, "out.safetensors");
        string[] args = verb == "classify" ? [verb, empty] : [verb, empty, "-o", output];
        AssertOneError(CliRunner.Run(args), $"No images in '{empty}'");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Json_and_a_different_format_contradict()
    {
        AssertOneError(CliRunner.Run("evaluate", "--json", "--format", "csv"),
            "--json asks for JSON but --format asks for csv: give one of them");
    }

    [Fact]
    public void No_cache_with_a_cache_folder_contradict()
    {
        AssertOneError(CliRunner.Run("evaluate", "--no-cache", "--cache", Dir),
            "--no-cache and --cache contradict each other: give one of them");
    }

    [Fact]
    public void Binary_standard_input_is_refused_naming_the_line()
    {
        var bytes = new byte[3000];
        new Random(5).NextBytes(bytes);
        // what the console hands over for invalid UTF-8: replacement characters
        string decoded = new System.Text.UTF8Encoding(false, false).GetString(bytes);
        var run = CliRunner.RunWithInput("a photo\n" + decoded, "tokenize", "-",
            "--vocab", Reference.Vocab);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: stdin:2: invalid UTF-8", run.Error.Trim());
        Assert.Equal("", run.Output);
    }

    [Fact]
    public void Empty_standard_input_is_refused()
    {
        AssertOneError(CliRunner.RunWithInput("", "tokenize", "-"), "Standard input ('-') held no text");
    }
}
