namespace ClipSharp.Tests.Cli;

/// <summary><c>clip tokenize</c> takes texts as arguments, from standard input (<c>-</c>) and from files of plain
/// lines, besides files of JSON strings; each gives the same ids, and messages name where a text came from.</summary>
public class TokenizeInputTests : TempFolderTest
{
    static readonly string[] Texts = ["a photo of a cat", "Glasses!", ""];

    string Ids(params string[] args)
    {
        var run = CliRunner.Run([.. args, "--vocab", Reference.Vocab]);
        Assert.True(run.ExitCode == 0, run.Error);
        return run.Output;
    }

    [Fact]
    public void Arguments_stdin_plain_lines_and_json_lines_give_the_same_ids()
    {
        string json = Path.Combine(Dir, "texts.jsonl"), lines = Path.Combine(Dir, "texts.txt");
        File.WriteAllLines(json, Texts.Select(t => System.Text.Json.JsonSerializer.Serialize(t)));
        File.WriteAllText(lines, string.Join("\r\n", Texts) + "\r\n");
        string expected = Ids(["tokenize", "--input", json]);
        Assert.Equal(3, expected.TrimEnd('\n').Split('\n').Length);
        Assert.Equal("49406 49407", expected.TrimEnd('\n').Split('\n')[2]);

        Assert.Equal(expected, Ids(["tokenize", .. Texts]));
        Assert.Equal(expected, Ids("tokenize", "--text-file", lines));
        var piped = CliRunner.RunWithInput(string.Join('\n', Texts) + "\n", "tokenize", "-",
            "--vocab", Reference.Vocab);
        Assert.True(piped.ExitCode == 0, piped.Error);
        Assert.Equal(expected, piped.Output);
    }

    [Fact]
    public void Stdin_stands_where_the_dash_is_among_the_arguments()
    {
        var run = CliRunner.RunWithInput("cat\ndog", "tokenize", "first", "-", "last", "--vocab", Reference.Vocab);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(Ids("tokenize", "first", "cat", "dog", "last"), run.Output);
    }

    [Fact]
    public void A_long_text_from_stdin_is_warned_about_by_its_line()
    {
        string longText = string.Join(' ', Enumerable.Repeat("glasses", 100));
        var run = CliRunner.RunWithInput($"short\n{longText}\n", "tokenize", "-", "--vocab", Reference.Vocab);
        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("warning: stdin:2: Text \"", run.Error);
        var arg = CliRunner.Run("tokenize", "ok", longText, "--vocab", Reference.Vocab);
        Assert.StartsWith("warning: argument 2: Text \"", arg.Error);
    }

    [Fact]
    public void Nothing_to_tokenize_is_one_line()
    {
        var run = CliRunner.Run("tokenize", "--vocab", Reference.Vocab);
        Assert.Equal(1, run.ExitCode);
        string line = Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("error: Nothing to tokenize: give texts, '-' for standard input", line);
    }
}
