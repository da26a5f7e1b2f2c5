using ClipSharp.Tests.Cli;
using static ClipSharp.Tests.Hardening.OutputTestFiles;

namespace ClipSharp.Tests.Hardening;

/// <summary>Every <c>clip</c> verb that writes a file refuses to write over one of its own inputs (by any
/// spelling) or over anything but a regular file, in one line naming the path, with exit code 1 and the inputs
/// unchanged.</summary>
public class OutputCliTests : TempFolderTest
{
    string Copy(string source, string? name = null)
    {
        string path = Path.Combine(Dir, name ?? Path.GetFileName(source));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(source, path);
        return path;
    }

    /// <summary>Runs clip, which must refuse naming <paramref name="output"/> and leave every input as it was.
    /// </summary>
    static void Refused(string output, string[] inputs, params string[] args)
    {
        var before = inputs.Select(Sha256).ToList();
        var run = CliRunner.Run(args);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: ", run.Error.TrimStart());
        Assert.Contains($"'{output}'", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.Equal(before, inputs.Select(Sha256).ToList());
    }

    string Model() => Copy(Reference.Model("tiny-rn.safetensors"), "models/tiny.safetensors");

    [Fact]
    public void Convert_refuses_its_own_input_by_path_spelling_symlink_and_hard_link()
    {
        string model = Model();
        string link = Path.Combine(Dir, "link.safetensors"), hard = Path.Combine(Dir, "hard.safetensors");
        File.CreateSymbolicLink(link, model);
        MakeHardLink(model, hard);
        string[] outputs = [model, Path.Combine(Dir, "models", ".", "tiny.safetensors"),
            Path.Combine(Dir, "absent", "..", "models", "tiny.safetensors"), hard];
        foreach (var output in outputs)
            Refused(output, [model], "convert", model, output, "--dtype", "float16");
        Refused(link, [model], "convert", model, link, "--dtype", "float16");   // a link output: never followed
        Refused(model, [model], "convert", link, model, "--dtype", "float16");  // the input named through a link
    }

    [Fact]
    public void Convert_refuses_dev_null_a_fifo_and_a_directory()
    {
        string model = Model(), fifo = Path.Combine(Dir, "pipe.safetensors"), folder = Path.Combine(Dir, "folder");
        MakeFifo(fifo);
        Directory.CreateDirectory(folder);
        Refused("/dev/null", [model], "convert", model, "/dev/null");
        Assert.Equal("character special file", StatKind("/dev/null"));
        Refused(fifo, [model], "convert", model, fifo);
        Assert.Equal("fifo", StatKind(fifo));
        Refused(folder, [model], "convert", model, folder);
        Assert.True(Directory.Exists(folder));
    }

    /// <summary>A private labelled set of three reference images with its labels file.</summary>
    (string Data, string Labels, string Image) LabelledSet()
    {
        string data = Path.Combine(Dir, "data");
        string[] images = ["face-127.png", "face-1146.png", "cat.jpg"];
        foreach (var image in images) Copy(Path.Combine(Reference.Images, image), Path.Combine("data", image));
        string labels = Path.Combine(data, "labels.csv");
        File.WriteAllText(labels, "file,glasses\nface-127.png,1\nface-1146.png,0\ncat.jpg,0\n");
        return (data, labels, Path.Combine(data, images[1]));
    }

    [Fact]
    public void Evaluate_refuses_to_write_its_results_over_the_labels_an_image_the_prompts_or_the_model()
    {
        var (data, labels, image) = LabelledSet();
        string prompts = Path.Combine(Dir, "prompts.txt"), model = Model();
        File.WriteAllText(prompts, "a photo of {}.\n");
        string cache = Path.Combine(Dir, "cache");
        string[] Args(string output) => ["evaluate", "--model", model, "--data", data, "--labels", labels,
            "--prompts", prompts, "--vocab", Reference.Vocab, "--cache", cache, "--output", output];
        string[] inputs = [labels, image, prompts, model];
        Refused(labels, inputs, Args(labels));
        Refused(Path.Combine(data, ".", "labels.csv"), inputs, Args(Path.Combine(data, ".", "labels.csv")));
        Refused(image, inputs, Args(image));
        Refused(prompts, inputs, Args(prompts));
        Refused(model, inputs, Args(model));
        Refused("/dev/null", inputs, Args("/dev/null"));

        // The labels file found by default (DATA/labels.csv, no --labels) is an input too.
        string[] defaultLabels = ["evaluate", "--model", model, "--data", data, "--vocab", Reference.Vocab,
            "--cache", cache, "--output", labels];
        Refused(labels, inputs, defaultLabels);

        string results = Path.Combine(Dir, "results.csv");
        var run = CliRunner.Run(Args(results));
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(4, File.ReadAllLines(results).Length);
    }

    [Fact]
    public void Embed_refuses_to_write_over_an_image_the_text_file_or_the_model()
    {
        var (_, _, image) = LabelledSet();
        string texts = Path.Combine(Dir, "texts.txt"), model = Model();
        File.WriteAllText(texts, "glasses\nno glasses\n");
        string[] Args(string output) => ["embed", "--model", model, "--image", image, "--text-file", texts,
            "--vocab", Reference.Vocab, "--output", output];
        string[] inputs = [image, texts, model];
        Refused(image, inputs, Args(image));
        Refused(texts, inputs, Args(texts));
        Refused(model, inputs, Args(model));
        string vocab = Copy(Reference.Vocab);
        Refused(vocab, [vocab, texts],
            "embed", "--model", model, "--text", "glasses", "--vocab", vocab, "--output", vocab);
        string link = Path.Combine(Dir, "texts-link.txt");
        File.CreateSymbolicLink(link, texts);
        Refused(link, inputs, Args(link));
        Assert.Equal(0, CliRunner.Run(Args(Path.Combine(Dir, "out.safetensors"))).ExitCode);
    }

    [Fact]
    public void Preprocess_refuses_to_write_over_one_of_its_images()
    {
        var (data, _, image) = LabelledSet();
        string other = Path.Combine(data, "cat.jpg");
        Refused(image, [image, other], "preprocess", other, image, "--size", "32", "--output", image);
        string spelled = Path.Combine(data, "..", "data", "cat.jpg");
        Refused(spelled, [image, other], "preprocess", other, image, "--size", "32", "--output", spelled);
        Refused("/dev/null", [image, other], "preprocess", other, image, "--size", "32", "--output", "/dev/null");
    }

    [Fact]
    public void The_help_of_each_writing_verb_states_the_rule()
    {
        foreach (var verb in new[] { "convert", "evaluate", "embed", "preprocess" })
        {
            var run = CliRunner.Run(verb, "--help");
            Assert.Contains(OutputPath.HelpNote, System.Text.RegularExpressions.Regex.Replace(run.Output, @"\s+", " "));
        }
    }
}
