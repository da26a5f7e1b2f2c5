using System.Text;
using System.Text.Json;
using ClipSharp.Tests.Cli;
using ClipSharp.Text;

namespace ClipSharp.Tests.Hardening;

/// <summary>Text inputs (<c>tokenize --input</c>, <c>embed --text-file</c>, prompt files) are strict UTF-8 and bounded;
/// every error names the file and line, and no input file is changed.</summary>
public sealed class TextFileTests : TempFolderTest
{
    string Write(string name, byte[] content)
    {
        string path = Path.Combine(Dir, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static TheoryData<byte[]> InvalidSequences => new()
    {
        new byte[] { 0xFF },                // never valid
        new byte[] { 0x80 },                // a continuation byte alone
        new byte[] { 0xC0, 0xAF },          // overlong '/'
        new byte[] { 0xED, 0xA0, 0x80 },    // an encoded surrogate
        new byte[] { 0xF4, 0x90, 0x80, 0x80 }, // beyond U+10FFFF
        new byte[] { 0xE2, 0x82 },          // cut short at the end of the line
    };

    [Theory]
    [MemberData(nameof(InvalidSequences))]
    public void Invalid_UTF8_is_an_error_naming_the_file_and_line(byte[] invalid)
    {
        string path = Write("texts.txt",
            [.. Utf8("a cat\r\na dog\n"), .. Utf8("a "), .. invalid, .. Utf8(" bird\nfine\n")]);
        var e = Assert.Throws<TextException>(() => TextFile.ReadLines(path));
        Assert.StartsWith($"{path}:3: invalid UTF-8", e.Message);
    }

    [Fact]
    public void Lines_split_as_File_ReadLines_splits_them()
    {
        string path = Write("mixed.txt", [.. Encoding.UTF8.Preamble, .. Utf8("one\r\ntwo\rthree\n\nfünf\r\n\r\n")]);
        var lines = TextFile.ReadLines(path);
        Assert.Equal(File.ReadLines(path), lines.Select(l => l.Text));
        Assert.Equal(Enumerable.Range(1, lines.Count), lines.Select(l => l.Line));
    }

    [Fact]
    public void A_line_over_the_text_limit_is_named()
    {
        string path = Write("long.txt", Utf8($"short\n{new string('x', ClipTokenizer.MaxTextLength + 1)}\n"));
        var e = Assert.Throws<TextException>(() => TextFile.ReadLines(path));
        Assert.Equal($"{path}:2: the line is {ClipTokenizer.MaxTextLength + 1:N0} characters; the limit is " +
            $"{ClipTokenizer.MaxTextLength:N0}", e.Message);
    }

    [Fact]
    public void An_endless_file_is_refused_before_it_is_opened()
    {
        if (!File.Exists("/dev/zero")) return;   // Linux and macOS: a file that never ends
        var e = Assert.Throws<TextException>(() => TextFile.ReadLines("/dev/zero", "Input file"));
        Assert.Equal("Input file '/dev/zero' is a character device, not a regular file", e.Message);
    }

    [Fact]
    public void Tokenize_names_the_line_with_invalid_UTF8_and_leaves_the_file_alone()
    {
        byte[] content = [.. Utf8("\"a cat\"\n\"a "), 0xC3, 0x28, .. Utf8("\"\n")];
        string input = Write("bad.jsonl", content);
        var result = CliRunner.Run("tokenize", "--input", input, "--vocab", Reference.Vocab);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: {input}:2: invalid UTF-8", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.Equal("", result.Output);
        Assert.Equal(content, File.ReadAllBytes(input));
    }

    [Theory]
    [InlineData("5")]
    [InlineData("{\"text\": \"a cat\"}")]
    [InlineData("[\"a cat\"]")]
    [InlineData("null")]
    [InlineData("\"\\ud800\"")]     // a lone surrogate escape
    [InlineData("\"unterminated")]
    public void Tokenize_names_the_line_that_is_not_a_JSON_string(string line)
    {
        string input = Write("lines.jsonl", Utf8($"\"fine\"\n{line}\n"));
        var result = CliRunner.Run("tokenize", "--input", input, "--vocab", Reference.Vocab);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: {input}:2: not a JSON string", result.Error);
    }

    [Fact]
    public async Task Tokenize_refuses_a_megabyte_line_by_number_in_bounded_time()
    {
        string input = Write("huge.jsonl", Utf8($"\"a cat\"\n{JsonSerializer.Serialize(new string('a', 1 << 20))}\n"));
        var result = await Task.Run(
                () => CliRunner.Run("tokenize", "--input", input, "--vocab", Reference.Vocab, "--truncate"))
            .WaitAsync(TimeSpan.FromSeconds(60));   // a hang guard, not a timing
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: {input}:2: the line is", result.Error);
    }

    [Fact]
    public void Tokenize_names_the_line_whose_text_cannot_be_cleaned()
    {
        string nested = "&amp;" + string.Concat(Enumerable.Repeat("amp;", 1000));
        string input = Write("nested.jsonl", Utf8($"\"a cat\"\n\"a dog\"\n{JsonSerializer.Serialize(nested)}\n"));
        var result = CliRunner.Run("tokenize", "--input", input, "--vocab", Reference.Vocab, "--truncate");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: {input}:3: Text \"", result.Error);
        Assert.Contains("rounds of cleaning", result.Error);
    }

    [Fact]
    public void Tokenize_prints_the_longest_one_word_line_whole_with_a_warning_and_cuts_it_with_truncate()
    {
        string word = new('q', ClipTokenizer.MaxTextLength - 2);
        string input = Write("word.jsonl", Utf8($"\"a cat\"\n{JsonSerializer.Serialize(word)}\n"));
        var whole = CliRunner.Run("tokenize", "--input", input, "--vocab", Reference.Vocab);
        Assert.Equal(0, whole.ExitCode);
        var ids = whole.Output.TrimEnd('\n').Split('\n')[1].Split(' ').Select(int.Parse).ToArray();
        Assert.True(ids.Length > 77);
        Assert.Contains($"warning: {input}:2: Text \"qqq", whole.Error);

        var cut = CliRunner.Run("tokenize", "--input", input, "--vocab", Reference.Vocab, "--truncate");
        var cutIds = cut.Output.TrimEnd('\n').Split('\n')[1].Split(' ').Select(int.Parse).ToArray();
        Assert.Equal([.. ids[..76], ClipTokenizer.EndOfText], cutIds);
        Assert.Equal("", cut.Error);
    }

    [Fact]
    public void Embed_names_the_text_file_line_with_invalid_UTF8_before_loading_a_model()
    {
        byte[] content = [.. Utf8("a cat\n\na dog\n"), 0xF0, 0x9F, .. Utf8("\n")];
        string file = Write("texts.txt", content);
        var result = CliRunner.Run("embed", "--model", Path.Combine(Dir, "never-loaded.pt"), "--text-file", file,
            "--output", Path.Combine(Dir, "out.safetensors"));
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: {file}:4: invalid UTF-8", result.Error);
        Assert.Equal(content, File.ReadAllBytes(file));
        Assert.False(File.Exists(Path.Combine(Dir, "out.safetensors")));
    }

    [Fact]
    public void Embed_refuses_a_missing_text_file_by_name()
    {
        string file = Path.Combine(Dir, "absent.txt");
        var result = CliRunner.Run("embed", "--model", "x.pt", "--text-file", file,
            "--output", Path.Combine(Dir, "o.safetensors"));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: Text file '{file}' not found", result.Error.Trim());
    }
}
