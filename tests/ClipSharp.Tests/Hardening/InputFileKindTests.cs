using ClipSharp.Checkpoints;
using ClipSharp.Tests.Cli;
using ClipSharp.Text;
using static ClipSharp.Tests.Hardening.OutputTestFiles;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Hardening;

/// <summary>Every reader of an input file (vocabulary, checkpoint, text, prompts) refuses a FIFO or a device before
/// opening it, and an oversized vocabulary before reading it: one error naming the file, never a hang.</summary>
public sealed class InputFileKindTests : TempFolderTest
{
    string Fifo(string name = "pipe")
    {
        string path = Path.Combine(Dir, name);
        MakeFifo(path);
        return path;
    }

    // A reader that opened the FIFO would block for good: the wait fails the test instead of hanging the run.
    static T Within<T>(Func<T> run)
    {
        var task = Task.Run(run);
        Assert.True(task.Wait(TimeSpan.FromSeconds(60)), "reading the input hung");
        return task.Result;
    }

    static TException Refused<TException>(Action read) where TException : Exception =>
        Within(() => Assert.Throws<TException>(read));

    [Fact]
    public void FileStatus_tells_FIFOs_devices_links_and_files_apart()
    {
        string fifo = Fifo();
        string file = Path.Combine(Dir, "file.txt");
        File.WriteAllText(file, "x");
        string link = Path.Combine(Dir, "link");
        File.CreateSymbolicLink(link, fifo);
        Assert.Equal(FileKind.Fifo, FileStatus.OfTarget(fifo).Kind);
        Assert.Equal(FileKind.Fifo, FileStatus.OfTarget(link).Kind);
        Assert.Equal(FileKind.SymbolicLink, FileStatus.OfEntry(link).Kind);
        Assert.Equal(FileKind.CharacterDevice, FileStatus.OfTarget("/dev/zero").Kind);
        Assert.Equal(FileKind.RegularFile, FileStatus.OfTarget(file).Kind);
        Assert.Equal(FileKind.Directory, FileStatus.OfTarget(Dir).Kind);
        Assert.Equal(FileKind.Missing, FileStatus.OfTarget(Path.Combine(Dir, "none")).Kind);
        Assert.Equal("fifo", StatKind(fifo));
    }

    [Theory]
    [InlineData("/dev/zero", "character device")]
    [InlineData("fifo", "FIFO (named pipe)")]
    [InlineData("link", "FIFO (named pipe)")]
    public void A_vocabulary_that_is_no_regular_file_is_refused(string which, string kind)
    {
        string fifo = Fifo("vocab.txt.gz");
        string link = Path.Combine(Dir, "link.txt.gz");
        File.CreateSymbolicLink(link, fifo);
        string path = which switch { "fifo" => fifo, "link" => link, _ => which };
        var e = Refused<TextException>(() => ClipTokenizer.Load(path));
        Assert.Equal($"Vocabulary '{path}' is a {kind}, not a regular file", e.Message);
        Assert.Equal("fifo", StatKind(fifo));
    }

    [Fact]
    public void An_oversized_vocabulary_is_refused_before_it_is_read()
    {
        string path = Path.Combine(Dir, BpeVocabulary.FileName);
        using (var file = File.Create(path)) file.SetLength(BpeVocabulary.MaxFileBytes + 1); // sparse: no disk used
        var e = Assert.Throws<TextException>(() => BpeVocabulary.Load(path, ModelRegistry.Vocabulary.Sha256));
        Assert.Equal($"Vocabulary '{path}' is {BpeVocabulary.MaxFileBytes + 1:N0} bytes, over the limit of " +
            $"{BpeVocabulary.MaxFileBytes:N0} bytes", e.Message);
        Assert.Equal(BpeVocabulary.MaxFileBytes + 1, new FileInfo(path).Length);
    }

    [Fact]
    public void The_released_vocabulary_still_loads()
    {
        var vocabulary = BpeVocabulary.Load(Reference.Vocab, ModelRegistry.Vocabulary.Sha256);
        Assert.Equal(49408, vocabulary.Decoder.Count);
        Assert.Equal(BpeVocabulary.MergeCount, vocabulary.MergeRanks.Count);
    }

    [Fact]
    public void A_checkpoint_that_is_a_FIFO_or_device_is_refused()
    {
        string fifo = Fifo("model.pt");
        var e = Refused<CheckpointException>(() => CheckpointReader.Read(fifo));
        Assert.Equal($"Checkpoint '{fifo}' is a FIFO (named pipe), not a regular file", e.Message);
        e = Refused<CheckpointException>(() => CheckpointReader.Read("/dev/zero"));
        Assert.Equal("Checkpoint '/dev/zero' is a character device, not a regular file", e.Message);
        Assert.Equal("fifo", StatKind(fifo));
    }

    [Fact]
    public void A_text_file_that_is_a_FIFO_is_refused_and_an_empty_one_is_still_read()
    {
        string fifo = Fifo("texts.txt");
        var e = Refused<TextException>(() => TextFile.ReadLines(fifo, "Prompt file"));
        Assert.Equal($"Prompt file '{fifo}' is a FIFO (named pipe), not a regular file", e.Message);
        string empty = Path.Combine(Dir, "empty.txt");
        File.WriteAllBytes(empty, []);
        Assert.Empty(TextFile.ReadLines(empty));
    }

    [Fact]
    public void A_text_file_over_the_size_limit_is_refused_before_it_is_read()
    {
        string path = Path.Combine(Dir, "big.txt");
        using (var file = File.Create(path)) file.SetLength(TextFile.MaxBytes + 1);
        var e = Assert.Throws<TextException>(() => TextFile.ReadLines(path, "Input file"));
        Assert.Equal($"Input file '{path}' is {TextFile.MaxBytes + 1:N0} bytes, over the limit of " +
            $"{TextFile.MaxBytes:N0} bytes", e.Message);
    }

    public static TheoryData<string, string> Commands => new()
    {
        { "tokenize -i {texts} --vocab /dev/zero", "Vocabulary '/dev/zero' is a character device" },
        { "tokenize -i {texts} --vocab {fifo}", "Vocabulary '{fifo}' is a FIFO" },
        { "tokenize -i {fifo} --vocab {vocab}", "Input file '{fifo}' is a FIFO" },
        { "embed -m {fifo} --text a -o {out} --vocab {vocab}", "Checkpoint '{fifo}' is a FIFO" },
        { "embed -m {model} --text-file {fifo} -o {out} --vocab {vocab}", "Text file '{fifo}' is a FIFO" },
        {
            "evaluate -m {model} --no-cache -d {images} --prompts {fifo} --vocab {vocab}",
            "Prompt file '{fifo}' is a FIFO"
        },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void The_CLI_refuses_FIFO_and_device_inputs_with_one_line(string command, string expected)
    {
        string fifo = Fifo("input.fifo");
        string texts = Path.Combine(Dir, "texts.txt");
        File.WriteAllText(texts, "\"a cat\"\n");
        string output = Path.Combine(Dir, "out.safetensors");
        string Fill(string s) => s.Replace("{fifo}", fifo).Replace("{texts}", texts).Replace("{out}", output)
            .Replace("{vocab}", Reference.Vocab).Replace("{model}", Reference.Model("tiny-rn.pt"))
            .Replace("{images}", Reference.Images);
        var result = Within(() => CliRunner.Run(Fill(command).Split(' ')));
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: {Fill(expected)}", result.Error);
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.Equal("fifo", StatKind(fifo));
        Assert.Equal("\"a cat\"\n", File.ReadAllText(texts));
        Assert.False(File.Exists(output));
    }
}
