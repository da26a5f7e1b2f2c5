using ClipSharp.Evaluation;
using ClipSharp.Tests.Cli;

namespace ClipSharp.Tests.Evaluation;

public class LabeledImageSetTests : TempFolderTest
{
    static readonly string[] Classes = ["no glasses", "glasses"];

    [Fact]
    public void The_kaggle_layout_reads_ids_through_the_pattern_in_file_order_and_takes_the_first_n()
    {
        File.WriteAllLines(Path.Combine(Dir, "train.csv"),
            ["id,v1,v2,glasses", "7,0.1,0.2,1", "3,0.3,0.4,0", "12,0.5,0.6,1"]);
        foreach (var id in new[] { 7, 3, 12 }) AddImage($"face-{id}.png");
        var set = LabeledImageSet.Load(Dir, Classes, limit: 2);
        Assert.Equal(["face-7.png", "face-3.png"], set.Images.Select(i => Path.GetFileName(i.Path)));
        Assert.Equal([1, 0], set.Images.Select(i => i.Label));
    }

    [Fact]
    public void Labels_may_be_class_names_in_a_named_column()
    {
        File.WriteAllLines(Path.Combine(Dir, "labels.csv"),
            ["file,kind,note", "a.png,Glasses,x", "b.png,no glasses,y"]);
        AddImage("a.png"); AddImage("b.png");
        var set = LabeledImageSet.Load(Dir, Classes, labelColumn: "kind");
        Assert.Equal([1, 0], set.Images.Select(i => i.Label));
    }

    [Fact]
    public void A_folder_per_class_works_without_a_labels_file()
    {
        AddImage("glasses/x.png"); AddImage("no glasses/y.png"); AddImage("no glasses/z.jpg");
        var set = LabeledImageSet.Load(Dir, Classes);
        Assert.Equal([0, 0, 1], set.Images.Select(i => i.Label));
    }

    [Fact]
    public void A_missing_image_names_its_row_and_file_unless_skipped()
    {
        string csv = Path.Combine(Dir, "labels.csv");
        File.WriteAllLines(csv, ["file,glasses", "a.png,1", "gone.png,0"]);
        AddImage("a.png");
        var e = Assert.Throws<DataSetException>(() => LabeledImageSet.Load(Dir, Classes));
        Assert.StartsWith($"{csv}:3: image '{Path.Combine(Dir, "gone.png")}' not found", e.Message);
        var set = LabeledImageSet.Load(Dir, Classes, skipMissing: true);
        Assert.Single(set.Images);
        Assert.Equal([$"{csv}:3: image '{Path.Combine(Dir, "gone.png")}' not found"], set.Skipped);
    }

    [Fact]
    public void Unknown_labels_and_duplicate_ids_name_the_row()
    {
        string csv = Path.Combine(Dir, "labels.csv");
        File.WriteAllLines(csv, ["id,glasses", "1,1", "2,maybe"]);
        AddImage("face-1.png"); AddImage("face-2.png");
        var e = Assert.Throws<DataSetException>(() => LabeledImageSet.Load(Dir, Classes));
        Assert.Equal($"{csv}:3 (face-2.png): label 'maybe' is neither a class index 0–1 " +
            "nor a class name (no glasses, glasses)", e.Message);

        File.WriteAllLines(csv, ["id,glasses", "1,1", "1,0"]);
        var d = Assert.Throws<DataSetException>(() => LabeledImageSet.Load(Dir, Classes));
        Assert.Equal($"{csv}:3: duplicate id '1' (first at {csv}:2)", d.Message);
    }

    [Fact]
    public void Evaluate_without_data_says_how_to_get_it_and_fails_without_a_stack_trace()
    {
        var run = CliRunner.Run("evaluate", "--data", Path.Combine(Dir, "nowhere"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Data folder", run.Error);
        Assert.Contains("data/README.md", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }
}
