using ClipSharp.Evaluation;
using ClipSharp.Tests.Cli;
using ClipSharp.ZeroShot;

namespace ClipSharp.Tests.Hardening;

/// <summary>Hostile labelled image sets: devices, FIFOs and directories named as images, duplicate paths written two
/// ways, huge CSV lines; every error is a DataSetException naming the file and row; --limit takes from every class.
/// </summary>
public class DataSetTests : TempFolderTest
{
    static readonly string[] Classes = ["no glasses", "glasses"];

    string Csv(params string[] lines)
    {
        string csv = Path.Combine(Dir, "labels.csv");
        File.WriteAllLines(csv, lines);
        return csv;
    }

    static DataSetException Refused(Func<object> load)
    {
        var run = Task.Run(() => Assert.Throws<DataSetException>(load));
        Assert.True(run.Wait(TimeSpan.FromSeconds(30)), "loading blocked");
        return run.Result;
    }

    [Fact]
    public void A_csv_row_naming_a_device_is_refused_by_row_without_reading_it()
    {
        string csv = Csv("file,glasses", "a.png,1", "/dev/zero,0");
        AddImage("a.png");
        var before = File.ReadAllBytes(csv);
        var e = Refused(() => LabeledImageSet.Load(Dir, Classes));
        Assert.Equal($"{csv}:3: Image '/dev/zero' is a character device, not a regular file", e.Message);
        Assert.Equal(before, File.ReadAllBytes(csv));
    }

    [Fact]
    public void A_fifo_in_a_class_folder_is_refused_by_name_without_blocking()
    {
        AddImage("glasses/a.png");
        Directory.CreateDirectory(Path.Combine(Dir, "no glasses"));
        string fifo = ImageSamples.Fifo(Path.Combine(Dir, "no glasses"), "x.png");
        var e = Refused(() => LabeledImageSet.Load(Dir, Classes));
        Assert.Equal(
            $"Data folder '{Dir}', class 'no glasses': Image '{fifo}' is a FIFO (named pipe), not a regular file",
            e.Message);
    }

    [Fact]
    public void A_fifo_or_a_directory_named_in_a_csv_is_refused_by_row()
    {
        string fifo = ImageSamples.Fifo(Dir, "pipe.png");
        Directory.CreateDirectory(Path.Combine(Dir, "folder.png"));
        string csv = Csv("file,glasses", "pipe.png,1");
        Assert.Equal($"{csv}:2: Image '{fifo}' is a FIFO (named pipe), not a regular file",
            Refused(() => LabeledImageSet.Load(Dir, Classes)).Message);
        Csv("file,glasses", "folder.png,1");
        Assert.Equal($"{csv}:2: Image '{Path.Combine(Dir, "folder.png")}' is a directory, not a file",
            Refused(() => LabeledImageSet.Load(Dir, Classes, skipMissing: true)).Message);
    }

    [Fact]
    public void A_fifo_as_the_labels_file_is_refused()
    {
        string fifo = ImageSamples.Fifo(Dir, "labels.csv");
        var e = Refused(() => LabeledImageSet.Load(Dir, Classes));
        Assert.Equal($"Labels file '{fifo}' is a FIFO (named pipe), not a regular file", e.Message);
    }

    [Theory]
    [InlineData("./face-1.png")]
    [InlineData("sub/../face-1.png")]
    [InlineData("./sub/./../face-1.png")]
    public void The_same_image_written_two_ways_is_a_duplicate(string other)
    {
        AddImage("face-1.png");
        Directory.CreateDirectory(Path.Combine(Dir, "sub"));
        string csv = Csv("file,glasses", "face-1.png,1", $"{other},0");
        var e = Refused(() => LabeledImageSet.Load(Dir, Classes));
        Assert.Equal($"{csv}:3: file '{other}' is the same image as 'face-1.png' (first at {csv}:2)", e.Message);
    }

    [Fact]
    public void Limit_on_class_folders_takes_round_robin_from_every_class()
    {
        foreach (var name in new[] { "a", "b", "c", "d" }) AddImage($"no glasses/{name}.png");
        foreach (var name in new[] { "e", "f" }) AddImage($"glasses/{name}.png");
        Assert.Equal([0, 0, 1], LabeledImageSet.Load(Dir, Classes, limit: 3).Images.Select(i => i.Label));
        Assert.Equal([0, 0, 1, 1], LabeledImageSet.Load(Dir, Classes, limit: 4).Images.Select(i => i.Label));
        var five = LabeledImageSet.Load(Dir, Classes, limit: 5).Images;
        Assert.Equal(["a", "b", "c", "e", "f"], five.Select(i => Path.GetFileNameWithoutExtension(i.Path)));
        Assert.Equal(6, LabeledImageSet.Load(Dir, Classes, limit: 100).Images.Count);
    }

    [Fact]
    public void Round_robin_skips_classes_that_ran_out()
    {
        Assert.Equal([1, 3, 0], LabeledImageSet.RoundRobin([1, 5, 0], 4));
        Assert.Equal([2, 2, 2], LabeledImageSet.RoundRobin([2, 2, 2], 100));
        Assert.Equal([0, 0], LabeledImageSet.RoundRobin([3, 3], 0));
    }

    [Fact]
    public void The_help_of_limit_names_the_round_robin_rule()
    {
        var run = CliRunner.Run("evaluate", "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("round-robin across the classes", run.Output.ReplaceLineEndings(" ").Replace("  ", " "));
    }

    static EvaluationResult Result(params (int Label, int Predicted)[] rows)
    {
        var confusion = new ConfusionMatrix(Classes);
        foreach (var (label, predicted) in rows) confusion.Add(label, predicted);
        var predictions = rows
            .Select((r, i) => new ImagePrediction($"{i}.png", r.Label, r.Predicted, [0.5f, 0.5f], [0f, 0f]))
            .ToList();
        var names = predictions.Select(p => p.File).ToList();
        var similarity = new SimilarityMatrix(names, Classes, new float[rows.Length, 2], 100);
        return new EvaluationResult(predictions, confusion, similarity, TimeSpan.Zero, rows.Length);
    }

    [Fact]
    public void A_single_class_ground_truth_is_said_in_the_summary()
    {
        Assert.Contains("Note: every image is labelled 'glasses' (a single class)",
            Result((1, 1), (1, 1), (1, 0)).Summary());
        Assert.DoesNotContain("single class", Result((1, 1), (0, 1)).Summary());
    }

    [Fact]
    public void Clip_evaluate_on_one_class_says_so()
    {
        AddImage("glasses/a.png"); AddImage("glasses/b.png");
        Directory.CreateDirectory(Path.Combine(Dir, "no glasses"));
        var run = CliRunner.Run("evaluate", "--model", Reference.Model("tiny-rn.pt"), "--data", Dir,
            "--vocab", Reference.Vocab, "--no-cache", "--limit", "3");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("Note: every image is labelled 'glasses' (a single class)", run.Output);
    }

    [Fact]
    public void A_huge_csv_line_is_refused_by_line_without_reading_it_all()
    {
        string csv = Path.Combine(Dir, "labels.csv");
        File.WriteAllText(csv, "file,glasses\na.png,1\n");
        using (var f = new FileStream(csv, FileMode.Append)) f.SetLength(f.Length + (200L << 20)); // 200 MB of NULs
        AddImage("a.png");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Refused(() => LabeledImageSet.Load(Dir, Classes));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L << 20, "the line was read into memory");
        Assert.StartsWith(
            $"Labels file '{csv}' cannot be read at line 3 or after (a line may have at most 1,048,576 bytes): ",
            e.Message);
    }

    [Fact]
    public void The_line_limit_is_a_parameter()
    {
        string csv = Csv("file,glasses", "a.png,1", $"{new string('x', 5000)}.png,0");
        AddImage("a.png");
        var e = Refused(() => LabeledImageSet.Load(Dir, Classes, maxLineBytes: 1024));
        Assert.StartsWith(
            $"Labels file '{csv}' cannot be read at line 3 or after (a line may have at most 1,024 bytes): ",
            e.Message);
        var set = LabeledImageSet.Load(Dir, Classes, limit: 1, maxLineBytes: 1024);
        Assert.Single(set.Images);
    }

    [Theory]
    [InlineData("name,glasses\na.png,1", "has neither a 'file' nor an 'id' column (columns: name, glasses)")]
    [InlineData("file,glasses\n,1", ":2: no file")]
    [InlineData("file,glasses\na.png,7", ":2 (a.png): label '7' is neither a class index 0–1 nor a class name")]
    [InlineData("file,glasses\na.png", ":2 (a.png): label '' is neither")]
    [InlineData("file,glasses\nmissing.png,1", ":2: image '")]
    public void Bad_rows_are_data_set_errors_naming_the_file(string text, string expected)
    {
        string csv = Path.Combine(Dir, "labels.csv");
        File.WriteAllText(csv, text);
        AddImage("a.png");
        var e = Refused(() => LabeledImageSet.Load(Dir, Classes));
        Assert.Contains(csv, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_missing_label_column_or_data_folder_is_a_data_set_error()
    {
        string csv = Csv("file,glasses", "a.png,1");
        AddImage("a.png");
        Assert.Equal($"Labels file '{csv}' has no column 'kind' (columns: file, glasses)",
            Refused(() => LabeledImageSet.Load(Dir, Classes, labelColumn: "kind")).Message);
        string nowhere = Path.Combine(Dir, "nowhere");
        Assert.Equal($"Data folder '{nowhere}' not found",
            Refused(() => LabeledImageSet.Load(nowhere, Classes)).Message);
    }
}
