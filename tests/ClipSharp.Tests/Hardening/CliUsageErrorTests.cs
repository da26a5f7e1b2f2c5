using ClipSharp.Tests.Cli;

namespace ClipSharp.Tests.Hardening;

/// <summary>Command-line mistakes are one line <c>error: …</c> plus a pointer to the verb's help, exit code 1, no
/// help dump; <c>--help</c> still prints the help; a prompt too long for the context says how to fix it in that verb.
/// </summary>
public class CliUsageErrorTests : TempFolderTest
{
    [Theory]
    [InlineData("evaluate", "--limit", "2147483648")]
    [InlineData("evaluate", "--format", "xml")]
    [InlineData("evaluate", "--no-such-option")]
    [InlineData("classify", "--class", "a")]
    [InlineData("tokenize", "--context-length", "many")]
    public void A_parse_error_is_one_error_line_and_a_pointer_to_the_help(params string[] args)
    {
        var run = CliRunner.Run(args);
        Assert.Equal(1, run.ExitCode);
        var lines = run.Error.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Equal($"(see clip {args[0]} --help)", lines[1]);
        Assert.DoesNotContain("Usage:", run.Output + run.Error);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public void The_error_names_the_option_and_value_in_plain_words()
    {
        var run = CliRunner.Run("evaluate", "--limit", "2147483648");
        Assert.StartsWith("error: Cannot parse argument '2147483648' for option '--limit'", run.Error);
        Assert.DoesNotContain("Nullable", run.Error);
        var format = CliRunner.Run("evaluate", "--format", "xml");
        Assert.StartsWith("error: Argument 'xml' not recognized. Must be one of: 'table' 'csv' 'json'", format.Error);
    }

    [Fact]
    public void An_unknown_verb_points_to_the_top_level_help()
    {
        var run = CliRunner.Run("bogus");
        Assert.Equal(1, run.ExitCode);
        Assert.EndsWith("(see clip --help)", run.Error.TrimEnd());
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("classify")]
    public void Help_still_prints_the_help_even_next_to_a_bad_value(string verb)
    {
        foreach (var args in new[] { new[] { verb, "--help" }, [verb, "--format", "xml", "--help"] })
        {
            var run = CliRunner.Run(args);
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Usage:", run.Output);
            Assert.Equal("", run.Error);
        }
    }

    [Fact]
    public void A_class_prompt_too_long_for_classify_is_one_line_that_says_to_shorten_it()
    {
        string image = Path.Combine(Dir, "face.png");
        File.Copy(Path.Combine(Reference.Images, "face-127.png"), image);
        var before = File.ReadAllBytes(image);
        string longClass = string.Join(' ', Enumerable.Repeat("glasses", 100));
        var run = CliRunner.Run("classify", "-m", Reference.Model("tiny-rn.pt"), "--vocab", Reference.Vocab,
            "--class", "no glasses", "--class", longClass, image);
        Assert.Equal(1, run.ExitCode);
        string line = Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("error: Text \"", line);
        Assert.EndsWith("the context length is 77 (shorten it, or truncate)", line);
        Assert.DoesNotContain("use truncate", line);
        Assert.Equal(before, File.ReadAllBytes(image));
    }
}
