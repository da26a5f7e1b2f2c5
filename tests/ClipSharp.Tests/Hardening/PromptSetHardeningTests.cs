using System.Text;
using ClipSharp.Tests.Cli;
using ClipSharp.Text;
using ClipSharp.ZeroShot;

namespace ClipSharp.Tests.Hardening;

/// <summary>A prompt set the tokenizer cannot tell apart (or with a blank class) is refused, never scored 0.5/0.5.
/// </summary>
public sealed class PromptSetHardeningTests : TempFolderTest
{
    [Fact]
    public void Classes_that_differ_only_in_case_are_refused_by_name()
    {
        var e = Assert.Throws<PromptException>(() => PromptSet.Create(["Glasses", "glasses"], ["a photo of {}"]));
        Assert.StartsWith("Classes 'Glasses' and 'glasses' with template \"a photo of {}\" give the same prompt " +
            "\"a photo of glasses\" after cleaning", e.Message);
    }

    [Theory]
    [InlineData("a,b", "a , b")]                  // the same pieces once split
    [InlineData("café", "cafe\u0301")]            // NFC
    [InlineData("ﬁne", "fine")]                   // ligature folding
    [InlineData("&amp; co", "& co")]              // HTML unescape
    [InlineData("no  glasses", " no glasses ")]   // whitespace collapse
    public void Classes_the_tokenizer_cleans_to_the_same_words_are_refused(string first, string second)
    {
        var e = Assert.Throws<PromptException>(() => PromptSet.Create([first, second]));
        Assert.Contains($"Classes '{first}' and '{second}' give the same prompt", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\u3000")]
    [InlineData("\u0007\ufeff")]   // control characters ftfy removes
    public void A_blank_class_is_refused(string blank)
    {
        var e = Assert.Throws<PromptException>(() => PromptSet.Create(["glasses", blank]));
        Assert.Equal($"Class '{blank}' is blank once cleaned; give every class a name", e.Message);
    }

    [Fact]
    public void The_empty_and_the_space_class_are_refused_as_blank()
    {
        var e = Assert.Throws<PromptException>(() => PromptSet.Create(["", " "]));
        Assert.Contains("Class '' is blank", e.Message);
    }

    [Fact]
    public void Two_templates_that_give_one_class_the_same_prompt_are_refused()
    {
        var e = Assert.Throws<PromptException>(
            () => PromptSet.Create(["cat", "dog"], ["a photo of {}.", "A Photo of {}."]));
        Assert.StartsWith("Templates \"a photo of {}.\" and \"A Photo of {}.\" give the same prompt " +
            "\"a photo of cat .\" " +
            "for class 'cat' after cleaning", e.Message);
    }

    [Fact]
    public void A_prompt_shared_by_two_classes_through_different_templates_is_refused()
    {
        var e = Assert.Throws<PromptException>(() => PromptSet.Create(["cat", "a cat"], ["{}", "a {}"]));
        Assert.Contains("Classes 'cat' and 'a cat' with templates \"a {}\" and \"{}\" give the same prompt \"a cat\"",
            e.Message);
    }

    [Fact]
    public void Distinct_classes_and_templates_still_make_a_set()
    {
        var set = PromptSet.Create(["no glasses", "glasses"], ["a photo of {}.", "a close-up photo of {}."]);
        Assert.Equal(["a photo of glasses.", "a close-up photo of glasses."], set.TextsOf("glasses"));
    }

    [Fact]
    public void A_set_built_without_Create_is_checked_by_the_classifier()
    {
        var set = new PromptSet(["Glasses", "GLASSES"]);
        // The check comes before the model is touched.
        var e = Assert.Throws<PromptException>(() => ZeroShotClassifier.Create(null!, set));
        Assert.Contains("Classes 'Glasses' and 'GLASSES'", e.Message);
    }

    [Fact]
    public void Many_placeholders_times_a_long_class_are_refused_before_the_prompt_is_built()
    {
        string template = string.Concat(Enumerable.Repeat("{}", 50_000));
        string name = new('x', 60_000);
        var e = Assert.Throws<PromptException>(() => PromptSet.Create([name, "y"], [template]));
        Assert.Contains($"makes a prompt of {50_000L * 60_000:N0} characters; the limit is", e.Message);
    }

    [Fact]
    public void A_prompt_file_with_invalid_UTF8_names_the_line_and_is_left_unchanged()
    {
        string path = Path.Combine(Dir, "templates.txt");
        // Line 3 holds 0xC3 0x28: a lead byte followed by no continuation byte.
        byte[] content = [.. Encoding.UTF8.GetBytes("# templates\na photo of {}.\na "), 0xC3, 0x28,
            .. Encoding.UTF8.GetBytes(" {}\n")];
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<TextException>(() => PromptSet.ReadTemplates(path));
        Assert.StartsWith($"{path}:3: invalid UTF-8", e.Message);
        Assert.Equal(content, File.ReadAllBytes(path));
    }

    [Fact]
    public void Classify_refuses_classes_that_differ_only_in_case_before_loading_a_model()
    {
        var result = CliRunner.Run("classify", "--model", Path.Combine(Dir, "never-loaded.pt"),
            "--class", "Glasses", "--class", "glasses", Path.Combine(Dir, "face.png"));
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: Classes 'Glasses' and 'glasses' give the same prompt \"glasses\" after cleaning",
            result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public void Evaluate_refuses_a_blank_class_and_names_the_bad_line_of_a_prompt_file()
    {
        var blank = CliRunner.Run("evaluate", "--data", Dir, "--class", "glasses", "--class", " ");
        Assert.Equal(1, blank.ExitCode);
        Assert.Equal("error: Class ' ' is blank once cleaned; give every class a name", blank.Error.Trim());

        string prompts = Path.Combine(Dir, "prompts.txt");
        byte[] content =
            [.. Encoding.UTF8.GetBytes("a photo of {}\n"), 0xE2, 0x82, (byte)'\n', .. Encoding.UTF8.GetBytes("{}\n")];
        File.WriteAllBytes(prompts, content);
        var bad = CliRunner.Run("evaluate", "--data", Dir, "--prompts", prompts);
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith($"error: {prompts}:2: invalid UTF-8", bad.Error);
        Assert.Equal(content, File.ReadAllBytes(prompts));

        File.WriteAllLines(prompts, ["a photo of {}.", "A PHOTO OF {}."]);
        var same = CliRunner.Run("evaluate", "--data", Dir, "--prompts", prompts);
        Assert.Equal(1, same.ExitCode);
        Assert.Contains("error: Templates \"a photo of {}.\" and \"A PHOTO OF {}.\" give the same prompt", same.Error);
    }
}
