using ClipSharp.Loading;
using ClipSharp.Tests.Cli;
using ClipSharp.ZeroShot;
using static ClipSharp.Tests.Hardening.OutputTestFiles;

namespace ClipSharp.Tests.Hardening;

/// <summary><c>clip saliency</c> and <c>clip evaluate</c> check every file they write (maps, overlays, the CSV,
/// the charts) against every file they read (images, model, vocabulary, labels, the embedding cache and its lock)
/// before the work: a clash is one <c>error:</c> line naming the path, exit code 1, nothing written.</summary>
public class OutputInputsCliTests : TempFolderTest
{
    string Copy(string source, string name)
    {
        string path = Path.Combine(Dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(source, path);
        return path;
    }

    /// <summary>Runs clip, which must refuse in one line naming <paramref name="named"/>, leave every input as it
    /// was and write none of <paramref name="unwritten"/>.</summary>
    static void Refused(string named, string[] inputs, string[] unwritten, params string[] args)
    {
        var before = inputs.Select(Sha256).ToList();
        var run = CliRunner.Run(args);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: ", run.Error.TrimStart());
        Assert.Single(run.Error.Trim().Split('\n'), line => line.StartsWith("error: "));
        Assert.Contains($"'{named}'", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.Equal(before, inputs.Select(Sha256).ToList());
        foreach (var path in unwritten) Assert.False(File.Exists(path), $"{path} was written");
    }

    string[] Saliency(string model, string vocab, string output, params string[] more) =>
        ["saliency", "--model", model, "--vocab", vocab, "--output", output, .. more];

    [Fact]
    public void Saliency_refuses_to_write_its_maps_over_an_image_the_model_or_the_vocabulary()
    {
        string image = Copy(Path.Combine(Reference.Images, "cat.jpg"), "x.png");
        string model = Copy(Reference.Model("tiny-rn.pt"), "m.pt"), vocab = Copy(Reference.Vocab, "v.gz");
        string[] inputs = [image, model, vocab];
        Refused(image, inputs, [], Saliency(model, vocab, image, image));
        Refused(model, inputs, [], Saliency(model, vocab, model, image));
        Refused(vocab, inputs, [], Saliency(model, vocab, vocab, image));
        string spelled = Path.Combine(Dir, "absent", "..", "x.png");
        Refused(spelled, inputs, [], Saliency(model, vocab, spelled, image));

        string maps = Path.Combine(Dir, "maps.safetensors");
        var run = CliRunner.Run(Saliency(model, vocab, maps, image));
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.True(File.Exists(maps));
    }

    [Fact]
    public void Saliency_refuses_an_overlay_named_like_an_input_image()
    {
        string cat = Copy(Path.Combine(Reference.Images, "cat.jpg"), "ov/cat.jpg");
        string glasses = Copy(Path.Combine(Reference.Images, "cat.jpg"), "ov/cat.glasses.png");
        string folder = Path.GetDirectoryName(cat)!, maps = Path.Combine(Dir, "s.safetensors");
        string[] unwritten = [maps, Path.Combine(folder, "cat.no-glasses.png"),
            Path.Combine(folder, "cat.glasses.no-glasses.png")];
        Refused(glasses, [cat, glasses], unwritten,
            Saliency(Reference.Model("tiny-rn.pt"), Reference.Vocab, maps, cat, glasses, "--overlay", folder));
    }

    [Fact]
    public void Saliency_refuses_a_regular_file_as_overlay_folder_and_maps_written_as_an_overlay()
    {
        string image = Copy(Path.Combine(Reference.Images, "cat.jpg"), "cat.jpg");
        string file = Path.Combine(Dir, "afile"), maps = Path.Combine(Dir, "s.safetensors");
        File.WriteAllText(file, "not a folder");
        Refused(file, [image, file], [maps],
            Saliency(Reference.Model("tiny-rn.pt"), Reference.Vocab, maps, image, "--overlay", file));
        Assert.Contains("regular file", CliRunner.Run(
            Saliency(Reference.Model("tiny-rn.pt"), Reference.Vocab, maps, image, "--overlay", file)).Error);

        string overlays = Path.Combine(Dir, "ov"), clash = Path.Combine(overlays, "cat.glasses.png");
        Refused(clash, [image], [clash, Path.Combine(overlays, "cat.no-glasses.png")],
            Saliency(Reference.Model("tiny-rn.pt"), Reference.Vocab, clash, image, "--overlay", overlays));
    }

    /// <summary>A private copy of five labelled reference images.</summary>
    (string Data, string[] Images) LabelledSet()
    {
        string data = Path.Combine(Dir, "data");
        var lines = File.ReadAllLines(Path.Combine(Reference.Images, "labels.csv")).Take(6).ToArray();
        var images = lines.Skip(1).Select(l => Copy(Path.Combine(Reference.Images, l.Split(',')[0]),
            Path.Combine("data", l.Split(',')[0]))).ToArray();
        File.WriteAllLines(Path.Combine(data, "labels.csv"), lines);
        return (data, [Path.Combine(data, "labels.csv"), .. images]);
    }

    string[] Evaluate(string data, string cache, params string[] more) =>
        ["evaluate", "--model", Reference.Model("tiny-rn.pt"), "--vocab", Reference.Vocab, "--data", data,
            "--cache", cache, .. more];

    /// <summary>The cache file evaluate uses for the tiny ResNet in <paramref name="cache"/>.</summary>
    static string CacheFile(string cache)
    {
        using var model = ClipSharp.Modeling.ClipModel.Load(Reference.Model("tiny-rn.pt"));
        return EmbeddingCache.FilePathFor(model, cache);
    }

    [Fact]
    public void Evaluate_refuses_to_write_its_results_over_its_embedding_cache_or_the_cache_lock()
    {
        var (data, inputs) = LabelledSet();
        string cache = Path.Combine(Dir, "cache"), file = CacheFile(cache), lockFile = EmbeddingCache.LockPathOf(file);
        var first = CliRunner.Run(Evaluate(data, cache));
        Assert.True(first.ExitCode == 0, first.Error);
        Assert.True(File.Exists(file) && File.Exists(lockFile), "the first run made no cache");
        string[] all = [.. inputs, file, lockFile];
        Refused(file, all, [], Evaluate(data, cache, "--output", file));
        Refused(lockFile, all, [], Evaluate(data, cache, "--output", lockFile));
        string spelled = Path.Combine(cache, ".", Path.GetFileName(file));
        Refused(spelled, all, [], Evaluate(data, cache, "--output", spelled));

        // A cache not made yet is refused too: the run would write it, then the CSV over it.
        string fresh = Path.Combine(Dir, "fresh"), freshFile = CacheFile(fresh);
        Refused(freshFile, inputs, [freshFile], Evaluate(data, fresh, "--output", freshFile));
        Assert.False(Directory.Exists(fresh));
    }

    [Fact]
    public void Evaluate_refuses_an_empty_cache_folder_in_one_line()
    {
        var (data, inputs) = LabelledSet();
        string csv = Path.Combine(Dir, "out.csv");
        var before = inputs.Select(Sha256).ToList();
        var run = CliRunner.Run(Evaluate(data, "", "--output", csv));
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: --cache is empty: give the embedding cache folder, or --no-cache", run.Error.Trim());
        Assert.False(File.Exists(csv));
        Assert.Equal(before, inputs.Select(Sha256).ToList());
    }

    [Fact]
    public void Evaluate_refuses_a_file_as_plots_folder_and_charts_over_an_input_or_the_csv()
    {
        var (data, inputs) = LabelledSet();
        string cache = Path.Combine(Dir, "cache"), csv = Path.Combine(Dir, "out.csv");
        string file = Path.Combine(Dir, "afile");
        File.WriteAllText(file, "not a folder");
        Refused(file, [.. inputs, file], [csv], Evaluate(data, cache, "--output", csv, "--plots", file));

        string plots = Path.Combine(Dir, "plots"), labels = Path.Combine(plots, "cosines.html");
        Directory.CreateDirectory(plots);
        File.Copy(inputs[0], labels);
        Refused(labels, [.. inputs, labels], [csv, Path.Combine(plots, "confusion-matrix.html")],
            Evaluate(data, cache, "--labels", labels, "--output", csv, "--plots", plots));

        string chart = Path.Combine(Dir, "charts", "cosines.html");
        Refused(chart, inputs, [chart],
            Evaluate(data, cache, "--output", chart, "--plots", Path.GetDirectoryName(chart)!));
    }
}
